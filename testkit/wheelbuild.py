"""Build real wheels at test time: tiny C extensions compiled against a real interpreter.

No setuptools: sources are compiled with the system C compiler against the
target interpreter's headers and zipped with a correct WHEEL, METADATA and
RECORD, exactly as an installer expects them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

MULTI_PHASE = """
#include <Python.h>
static int exec_module(PyObject *m) {{
{body}
    return 0;
}}
static PyModuleDef_Slot slots[] = {{
    {{Py_mod_exec, exec_module}},
{gil_slot}
    {{0, NULL}}
}};
static struct PyModuleDef def = {{PyModuleDef_HEAD_INIT, "{dotted}", NULL, 0, NULL, slots}};
PyMODINIT_FUNC PyInit_{leaf}(void) {{ return PyModuleDef_Init(&def); }}
"""

SINGLE_PHASE = """
#include <Python.h>
static struct PyModuleDef def = {{PyModuleDef_HEAD_INIT, "{dotted}", NULL, -1, NULL}};
PyMODINIT_FUNC PyInit_{leaf}(void) {{
    PyObject *m = PyModule_Create(&def);
    if (m == NULL) return NULL;
#ifdef Py_GIL_DISABLED
    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);
#endif
    return m;
}}
"""

GIL_NOT_USED = "    {Py_mod_gil, Py_MOD_GIL_NOT_USED},"
CRASH = "    *(volatile int *)0 = 1;"
RAISE = '    PyErr_SetString(PyExc_RuntimeError, "refusing to load"); return -1;'
# One end of an import cycle: the package's Python module {package}._user normally
# imports this module first; importing this one first fails on the cycle.
CYCLE = """    PyObject *user = PyImport_ImportModule("{package}._user");
    if (user == NULL) return -1;
    Py_DECREF(user);
    if (PyModule_AddIntConstant(m, "value", 1) < 0) return -1;"""


# Imports another module when loaded (a dependency), failing as the import fails.
IMPORTS = """    PyObject *dep = PyImport_ImportModule("{imports}");
    if (dep == NULL) return -1;
    Py_DECREF(dep);"""


@dataclass(frozen=True)
class Extension:
    """One C extension module: ``kind`` is ``good``, ``bad``, ``single``, ``crash``,
    ``raise`` or ``cycle``; ``imports`` names a module it imports when loaded."""

    dotted: str
    kind: str = "good"
    imports: str = ""

    def source(self) -> str:
        """The C source of the module."""
        leaf = self.dotted.rsplit(".", 1)[-1]
        if self.kind == "single":
            return SINGLE_PHASE.format(dotted=self.dotted, leaf=leaf)
        package = self.dotted.rpartition(".")[0]
        body = {"crash": CRASH, "raise": RAISE, "cycle": CYCLE.format(package=package)}.get(
            self.kind, ""
        )
        if self.imports:
            body = IMPORTS.format(imports=self.imports) + "\n" + body
        gil_slot = "" if self.kind == "bad" else GIL_NOT_USED
        return MULTI_PHASE.format(dotted=self.dotted, leaf=leaf, body=body, gil_slot=gil_slot)


def interpreter_build_info(python: Path) -> dict[str, str]:
    """Include directory, extension suffix and tags of a (trusted) interpreter."""
    script = (
        "import json, sys, sysconfig; v = sys.version_info;"
        "print(json.dumps({'include': sysconfig.get_paths()['include'],"
        "'suffix': sysconfig.get_config_var('EXT_SUFFIX'),"
        "'tag': f'cp{v.major}{v.minor}'}))"
    )
    out = subprocess.run(
        [str(python), "-I", "-c", script], capture_output=True, text=True, check=True
    )
    info: dict[str, str] = json.loads(out.stdout)
    return info


def compile_extension(ext: Extension, python: Path, workdir: Path) -> tuple[str, bytes]:
    """Compile ``ext`` for ``python``; return its path inside the wheel and its bytes."""
    info = interpreter_build_info(python)
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / f"{ext.dotted}.c"
    source.write_text(ext.source())
    output = workdir / (ext.dotted.rsplit(".", 1)[-1] + info["suffix"])
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-O1", f"-I{info['include']}", str(source), "-o", str(output)],
        check=True,
        capture_output=True,
    )
    return ext.dotted.replace(".", "/") + info["suffix"], output.read_bytes()


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def write_wheel(
    dest: Path,
    name: str,
    version: str,
    tag: str,
    files: dict[str, bytes],
    *,
    requires: tuple[str, ...] = (),
    classifiers: tuple[str, ...] = (),
) -> Path:
    """Zip ``files`` into ``dest/<name>-<version>-<tag>.whl`` with valid metadata."""
    dest.mkdir(parents=True, exist_ok=True)
    dist_info = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    metadata += "".join(f"Classifier: {c}\n" for c in classifiers)
    root_is_purelib = "true" if tag.endswith("none-any") else "false"
    wheel_meta = f"Wheel-Version: 1.0\nGenerator: fttrack-tests\nRoot-Is-Purelib: {root_is_purelib}\nTag: {tag}\n"
    contents = dict(files)
    contents[f"{dist_info}/METADATA"] = metadata.encode()
    contents[f"{dist_info}/WHEEL"] = wheel_meta.encode()
    record = [_record_line(path, data) for path, data in contents.items()]
    record.append(f"{dist_info}/RECORD,,")
    contents[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = dest / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in contents.items():
            archive.writestr(member, data)
    return path


def build_binary_wheel(
    dest: Path,
    python: Path,
    name: str,
    extensions: list[Extension],
    *,
    version: str = "1.0",
    python_files: dict[str, str] | None = None,
    requires: tuple[str, ...] = (),
    abi_suffix: str = "t",
    platform_tag: str = "linux_x86_64",
) -> Path:
    """A wheel of C extensions (plus Python files) built for ``python``."""
    info = interpreter_build_info(python)
    files: dict[str, bytes] = {p: s.encode() for p, s in (python_files or {}).items()}
    for ext in extensions:
        path, data = compile_extension(ext, python, dest / f"build-{name}")
        files[path] = data
    tag = f"{info['tag']}-{info['tag']}{abi_suffix}-{platform_tag}"
    return write_wheel(dest, name, version, tag, files, requires=requires)


def build_pure_wheel(
    dest: Path, name: str, python_files: dict[str, str], *, version: str = "1.0",
    requires: tuple[str, ...] = (),
) -> Path:  # fmt: skip
    """A ``py3-none-any`` wheel of Python files."""
    files = {p: s.encode() for p, s in python_files.items()}
    return write_wheel(dest, name, version, "py3-none-any", files, requires=requires)


def build_bomb_wheel(dest: Path, name: str, unpacked_bytes: int, *, version: str = "1.0") -> Path:
    """A pure wheel whose one data file is ``unpacked_bytes`` of zeros: small on disk
    (deflate), large once unpacked, like a zip bomb."""
    files = {f"{name}/__init__.py": b"", f"{name}/blob.bin": bytes(unpacked_bytes)}
    return write_wheel(dest, name, version, "py3-none-any", files)
