"""Build a free-threaded CPython from its source tarball into fttrack's cache.

Used when ``uv python install`` cannot download. Tarballs come from the Debian
archive that this machine's apt is configured with (``pool/main/p/python3.X/``):
candidates are read from the archive's ``Sources`` indexes (newest first), then
from a short list of releases known to be in the archive. Every tarball's
sha256 is checked against the index entry it came from before it is unpacked.

A finished build is written to ``<cache>/pythons/cpython-X.Y.Z-freethreaded``
and marked with :data:`~tracker.pythons.discover.BUILD_MARKER`; a half-built
prefix (interrupted build) has no marker and is rebuilt. The ``shared`` variant
(``--enable-shared``, as the interpreters ``uv python install`` gives have it:
``_PyRuntime`` in ``libpython3.Xt.so``) goes to
``cpython-X.Y.Z-freethreaded-shared``, with an rpath to its own ``lib`` so it
runs without ``LD_LIBRARY_PATH``.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from tracker.errors import InterpreterError
from tracker.models import Target
from tracker.pythons.discover import BUILD_MARKER, SHARED_SUFFIX

__all__ = [
    "SourceTarball",
    "apt_archive_bases",
    "build_from_source",
    "candidate_tarballs",
    "python_version",
]

#: Releases known to be in the archive, with the sha256 from their ``.dsc``.
KNOWN_TARBALLS: dict[str, tuple[tuple[str, str], ...]] = {
    "3.13": (("3.13.15", "1e66a7945a48390ee4c2a4268a0e4185884059a13c4aab6d148aa208deea4a76"),),
    "3.14": (("3.14.7", "3b48dac8fb59f62eaa67ac83c1eb12bda1b7a08406dd286e252c11a66be27f81"),),
    # 3.15's ABI is frozen from rc1: cp315t wheels install on it.
    "3.15": (("3.15.0~rc1", "f84dad680ab2147417d2739355c2678f0f9acffe4ae8ef77895de1454b384b07"),),
}
_SUITES = ("sid", "forky", "trixie")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class SourceTarball:
    """A CPython source tarball on an archive, with its expected sha256.

    ``version`` is CPython's own spelling (``3.15.0rc1``); the archive's file
    name uses Debian's (``3.15.0~rc1``).
    """

    version: str
    url: str
    sha256: str


def python_version(debian_version: str) -> str:
    """CPython's spelling of a Debian upstream version.

    >>> python_version("3.15.0~rc1")
    '3.15.0rc1'
    >>> python_version("3.14.7")
    '3.14.7'
    """
    return debian_version.replace("~", "")


def apt_archive_bases() -> list[str]:
    """Base URIs of the Debian archives in this machine's apt sources."""
    bases: list[str] = []
    sources_dir = Path("/etc/apt/sources.list.d")
    for path in sorted(sources_dir.glob("*.sources")) if sources_dir.is_dir() else []:
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("URIs:"):
                bases.extend(line.split()[1:])
    legacy = Path("/etc/apt/sources.list")
    if legacy.is_file():
        for line in legacy.read_text(errors="replace").splitlines():
            parts = line.split()
            if parts and parts[0] == "deb":
                bases.extend(p for p in parts[1:] if "://" in p)
    unique = [b.rstrip("/") for b in dict.fromkeys(bases) if "security" not in b]
    return unique


def _sources_index_entries(text: str, minor: str) -> Iterator[tuple[str, str]]:
    """(version, sha256) of ``python{minor}`` orig tarballs listed in a Sources index."""
    pattern = re.compile(
        rf"^ ([0-9a-f]{{64}}) \d+ python{re.escape(minor)}_"
        rf"({re.escape(minor)}\.\d+(?:~(?:a|b|rc)\d+)?)\.orig\.tar\.xz$",
        re.MULTILINE,
    )
    for match in pattern.finditer(text):
        yield match.group(2), match.group(1)


def candidate_tarballs(minor: str, *, fetch_indexes: bool = True) -> list[SourceTarball]:
    """Tarballs to try for ``minor`` (``"3.14"``), newest first, each with a sha256."""
    import httpx

    found: dict[tuple[str, str], str] = {}
    for base in apt_archive_bases():
        if fetch_indexes:
            for suite in _SUITES:
                try:
                    response = httpx.get(f"{base}/dists/{suite}/main/source/Sources.xz", timeout=60)
                    response.raise_for_status()
                    text = lzma.decompress(response.content).decode("utf-8", "replace")
                except (httpx.HTTPError, lzma.LZMAError):
                    continue
                for version, sha in _sources_index_entries(text, minor):
                    found.setdefault((base, version), sha)
        for version, sha in KNOWN_TARBALLS.get(minor, ()):
            found.setdefault((base, version), sha)
    ordered = sorted(
        found.items(), key=lambda item: Version(python_version(item[0][1])), reverse=True
    )
    return [
        SourceTarball(
            python_version(version),
            f"{base}/pool/main/p/python{minor}/python{minor}_{version}.orig.tar.xz",
            sha,
        )
        for (base, version), sha in ordered
    ]


def _download(tarball: SourceTarball, dest: Path, progress: Progress) -> bool:
    """Download and verify ``tarball``; False when the archive does not have it."""
    import httpx

    digest = hashlib.sha256()
    try:
        with httpx.stream("GET", tarball.url, timeout=120, follow_redirects=True) as response:
            if response.status_code == 404:
                return False
            response.raise_for_status()
            total = int(response.headers.get("content-length", 0))
            done = 0
            with dest.open("wb") as handle:
                for chunk in response.iter_bytes(1 << 20):
                    handle.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if total:
                        progress(f"downloading {dest.name}: {done * 100 // total}%")
    except httpx.HTTPError as exc:
        progress(f"download of {tarball.version} failed: {exc}")
        return False
    if digest.hexdigest() != tarball.sha256:
        dest.unlink(missing_ok=True)
        raise InterpreterError(
            f"{dest.name}: sha256 {digest.hexdigest()} does not match "
            f"the archive's {tarball.sha256}"
        )
    progress(f"verified sha256 of {dest.name}")
    return True


def _run_logged(argv: list[str], cwd: Path, log: Path, phase: str, progress: Progress) -> None:
    """Run a build step, reporting its progress by the number of lines it has printed."""
    with log.open("w") as handle:
        process = subprocess.Popen(
            argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        for count, line in enumerate(process.stdout, 1):
            handle.write(line)
            if count % 25 == 0:
                progress(f"{phase}: {count} lines")
        if process.wait() != 0:
            raise InterpreterError(f"{phase} failed (exit {process.returncode}); see {log}")


def build_from_source(
    target: Target,
    pythons_dir: Path,
    *,
    progress: Progress = lambda message: None,
    tarball_path: Path | None = None,
    tarball_sha256: str | None = None,
    shared: bool = False,
) -> Path:
    """Build ``target`` with ``--disable-gil``; return the interpreter's path.

    ``tarball_path`` (with ``tarball_sha256``) builds from a local tarball instead.
    ``shared`` builds libpython as a shared library (:data:`SHARED_SUFFIX` prefix).
    """
    minor = f"{target.major}.{target.minor}"
    pythons_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fttrack-build-") as tmp:
        work = Path(tmp)
        archive = work / "python.tar.xz"
        version: str | None = None
        if tarball_path is not None:
            digest = hashlib.sha256(tarball_path.read_bytes()).hexdigest()
            if tarball_sha256 and digest != tarball_sha256:
                raise InterpreterError(f"{tarball_path}: sha256 does not match {tarball_sha256}")
            shutil.copyfile(tarball_path, archive)
        else:
            progress(f"looking for CPython {minor} sources in the apt archives")
            for candidate in candidate_tarballs(minor):
                if _download(candidate, archive, progress):
                    version = candidate.version
                    break
            else:
                raise InterpreterError(
                    f"no CPython {minor} source tarball could be downloaded "
                    "(tried the apt archives); pass --tarball PATH --sha256 HEX"
                )
        source = work / "src"
        with tarfile.open(archive) as tar:
            top = tar.getnames()[0].split("/")[0]
            _extract(tar, work)
        (work / top).rename(source)
        version = version or _version_from_source(source)
        prefix = pythons_dir / f"cpython-{version}-freethreaded{SHARED_SUFFIX if shared else ''}"
        if prefix.exists():
            shutil.rmtree(prefix)
        jobs = str(os.cpu_count() or 2)
        configure = [
            "./configure",
            "--disable-gil",
            f"--prefix={prefix}",
            "--with-ensurepip=no",
            "--disable-test-modules",
            *_libmpdec_option(),
            *_shared_options(prefix, shared),
        ]
        _run_logged(configure, source, work / "configure.log", "configure", progress)
        _run_logged(["make", f"-j{jobs}"], source, work / "make.log", "make", progress)
        _run_logged(["make", "install"], source, work / "install.log", "install", progress)
        # The sandbox runs probes as an unprivileged uid: the prefix must be world-readable.
        for path in [prefix, *prefix.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o444 | (0o111 if path.is_dir() else 0))
        (prefix / BUILD_MARKER).write_text(
            json.dumps({"version": version, "configure": configure, "shared": shared})
        )
        return prefix / "bin" / f"python{minor}t"


def _shared_options(prefix: Path, shared: bool) -> list[str]:
    """``--enable-shared`` and an rpath to ``prefix/lib`` for a shared build.

    The build's own steps run the new interpreter with ``LD_LIBRARY_PATH`` set
    (the Makefile's ``RUNSHARED``), which comes before a ``DT_RUNPATH``.
    """
    return ["--enable-shared", f"LDFLAGS=-Wl,-rpath,{prefix / 'lib'}"] if shared else []


def _libmpdec_option() -> list[str]:
    """``--with-system-libmpdec=no`` when this machine has no mpdecimal library.

    CPython 3.13+ builds ``_decimal`` against the system's libmpdec by default;
    3.15 no longer falls back to its bundled copy when there is none (Debian 12
    ships none), and would be built without ``_decimal``: a wheel probed there
    would import ``decimal`` from its slow pure-Python twin, unlike on the
    interpreters users have.
    """
    try:
        found = subprocess.run(
            ["pkg-config", "--exists", "libmpdec"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ["--with-system-libmpdec=no"]
    return [] if found.returncode == 0 else ["--with-system-libmpdec=no"]


def _extract(tar: tarfile.TarFile, destination: Path) -> None:
    """Unpack ``tar`` safely: the ``data`` filter where this Python has it (3.11.4+),
    else a check that no member leaves ``destination`` or is a device or a link out."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(destination, filter="data")
        return
    root = destination.resolve()
    for member in tar.getmembers():
        target = (root / member.name).resolve()
        unsafe = member.isdev() or (member.issym() and os.path.isabs(member.linkname))
        if unsafe or not target.is_relative_to(root):
            raise InterpreterError(f"source tarball: unsafe member {member.name!r}")
    tar.extractall(destination)  # every member was checked above


def _version_from_source(source: Path) -> str:
    header = (source / "Include" / "patchlevel.h").read_text()
    match = re.search(r'#define PY_VERSION\s+"([^"]+)"', header)
    if not match:
        raise InterpreterError(f"{source}: cannot read the CPython version from patchlevel.h")
    return match.group(1)
