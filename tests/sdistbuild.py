"""Build real sdists at test time: an in-tree PEP 517 backend, Python files, C sources.

The sdist carries its own build backend (``backend-path = ["."]``), so it
builds offline with nothing but what its ``requires`` names: a build
requirement is a wheel the test serves on the loopback index. The backend
zips the package's Python files and compiles each ``src/<module>.c`` with the
system C compiler against the building interpreter's headers, as setuptools
would, into a wheel tagged for that interpreter (``py3-none-any`` without C).
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

__all__ = ["BACKEND", "build_sdist"]

#: The in-tree backend. ``{pre}`` is code run first in build_wheel (an attack, a
#: failure, an import of a build requirement); ``{dynamic}`` what
#: get_requires_for_build_wheel asks for.
BACKEND = """
import base64, glob, hashlib, os, subprocess, sys, sysconfig, zipfile

NAME = {name!r}
VERSION = {version!r}


def get_requires_for_build_wheel(config_settings=None):
    return {dynamic!r}


def _record(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{{path}},sha256={{digest}},{{len(data)}}"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
{pre}
    files = {{}}
    for root, _dirs, names in os.walk(NAME):
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(root, name)
                with open(path, "rb") as handle:
                    files[path.replace(os.sep, "/")] = handle.read()
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for source in sorted(glob.glob("src/*.c")):
        module = os.path.basename(source)[:-2]
        output = os.path.join("build", module + suffix)
        os.makedirs("build", exist_ok=True)
        subprocess.run(
            ["cc", "-shared", "-fPIC", "-O1", "-I" + sysconfig.get_paths()["include"],
             source, "-o", output],
            check=True,
        )
        with open(output, "rb") as handle:
            files[NAME + "/" + module + suffix] = handle.read()
    if any(path.endswith(suffix) for path in files):
        tag = "cp%d%d-cp%d%dt-linux_x86_64" % (sys.version_info[:2] * 2)
    else:
        tag = "py3-none-any"
    info = f"{{NAME}}-{{VERSION}}.dist-info"
    files[info + "/METADATA"] = (
        f"Metadata-Version: 2.1\\nName: {{NAME}}\\nVersion: {{VERSION}}\\n"
    ).encode()
    purelib = "true" if tag == "py3-none-any" else "false"
    files[info + "/WHEEL"] = (
        f"Wheel-Version: 1.0\\nGenerator: fttrack-tests\\nRoot-Is-Purelib: {{purelib}}\\n"
        f"Tag: {{tag}}\\n"
    ).encode()
    record = [_record(path, data) for path, data in files.items()] + [info + "/RECORD,,"]
    files[info + "/RECORD"] = ("\\n".join(record) + "\\n").encode()
    filename = f"{{NAME}}-{{VERSION}}-{{tag}}.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return filename
"""


def build_sdist(
    dest: Path,
    name: str,
    python_files: dict[str, str],
    *,
    version: str = "1.0",
    c_sources: dict[str, str] | None = None,
    requires: tuple[str, ...] = (),
    dynamic: tuple[str, ...] = (),
    pre: str = "",
) -> Path:
    """``dest/<name>-<version>.tar.gz``: Python files, C sources (``src/<module>.c``,
    built into ``<name>/<module>``), and the in-tree backend with ``pre`` run first
    in ``build_wheel``; ``requires`` goes to ``[build-system]``, ``dynamic`` is what
    the backend asks for at build time."""
    dest.mkdir(parents=True, exist_ok=True)
    body = "\n".join("    " + line for line in (pre or "pass").splitlines())
    files = {
        "pyproject.toml": (
            "[build-system]\n"
            f"requires = [{', '.join(repr(r).replace(chr(39), chr(34)) for r in requires)}]\n"
            'build-backend = "_backend"\nbackend-path = ["."]\n'
        ),
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        "_backend.py": BACKEND.format(name=name, version=version, dynamic=list(dynamic), pre=body),
        **python_files,
        **{f"src/{module}.c": source for module, source in (c_sources or {}).items()},
    }
    path = dest / f"{name}-{version}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for member, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-{version}/{member}")
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return path
