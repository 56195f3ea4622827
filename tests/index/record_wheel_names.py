"""Re-record ``tests/assets/index/wheel-names.txt`` and ``sdist-names.txt`` (by hand, network).

    .venv/bin/python -m tests.index.record_wheel_names

Reads the pages of :data:`PROJECTS` from the configured index (fttrack's own
client, :class:`tracker.index.pypi.SyncPypiIndex`, whose URL comes from
:func:`tracker.config.resolve_index_url`) and keeps only file names: every
project's wheels, newest release first, one for each kind not seen yet (free-threaded
or not, and its platform tags: manylinux1, ``macosx_10_6_intel``, ``win32``...),
up to :data:`PER_PROJECT`. The
legacy sdist names of :data:`SDIST_PROJECTS` (a version glued to the name by
a hyphen) go to ``sdist-names.txt`` as ``project filename`` lines.
"""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from tracker.index.interface import ProjectPage
from tracker.index.pypi import SyncPypiIndex
from tracker.releases import version_key

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "index"

#: Top projects of the snapshot whose wheels cover many platforms (and a few old ones
#: whose history holds manylinux1, ``intel`` and ``universal`` macOS wheels).
PROJECTS = (
    "numpy", "markupsafe", "pyyaml", "cffi", "charset-normalizer", "psutil", "lxml",
    "pillow", "cryptography", "pydantic-core", "orjson", "ujson", "msgpack", "regex",
    "grpcio", "protobuf", "pandas", "scipy", "aiohttp", "frozenlist", "multidict",
    "yarl", "propcache", "wrapt", "zstandard", "rpds-py", "greenlet", "sqlalchemy",
    "kiwisolver", "matplotlib", "pyzmq", "bcrypt", "cython", "tokenizers", "rapidfuzz",
    "simplejson", "coverage", "websockets", "xxhash", "mypy", "pywin32", "pyarrow",
    "ruamel-yaml-clib", "lz4", "brotli", "debugpy",
)  # fmt: skip
#: Projects with legacy sdist names that glue a suffix to the version with a hyphen.
SDIST_PROJECTS = (
    "selenium", "thrift", "dpath", "cheroot", "comtypes", "pywinauto", "pyvmomi", "thop",
    "j2cli",
)  # fmt: skip
PER_PROJECT = 20


def _kind(filename: str) -> tuple[bool, frozenset[str]]:
    """Whether a wheel is free-threaded (an ABI tag ending in ``t``), and its platform tags."""
    try:
        tags = parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return False, frozenset()
    return any(t.abi.endswith("t") for t in tags), frozenset(t.platform for t in tags)


def wheel_names(page: ProjectPage) -> list[str]:
    """Newest first, one wheel per (free-threaded or not, platform tags) not seen yet,
    up to :data:`PER_PROJECT`: the free-threaded kinds first, then the others."""
    by_version: dict[str, list[str]] = {}
    for file in page.files:
        if file.filename.endswith(".whl") and file.version:
            by_version.setdefault(file.version, []).append(file.filename)
    chosen: list[str] = []
    seen: set[tuple[bool, frozenset[str]]] = set()
    versions = sorted(by_version, key=version_key, reverse=True)
    for free_threaded in (True, False):
        for name in (n for v in versions for n in sorted(by_version[v])):
            kind = _kind(name)
            if len(chosen) < PER_PROJECT and kind[0] is free_threaded and kind not in seen:
                chosen.append(name)
                seen.add(kind)
    return chosen


def main() -> int:
    """Fetch the pages and write the two name lists."""
    with SyncPypiIndex() as index:
        pages = index.fetch_many([*PROJECTS, *SDIST_PROJECTS])
    wheels: list[str] = []
    sdists: list[str] = []
    for name, page in pages.items():
        if not isinstance(page, ProjectPage):
            print(f"{name}: {page}", file=sys.stderr)
            return 1
        if name in SDIST_PROJECTS:
            sdists += [
                f"{name} {f.filename}"
                for f in page.files
                if not f.filename.endswith((".whl", ".exe", ".egg", ".msi", ".rpm"))
            ]
        else:
            wheels += wheel_names(page)
    (ASSETS / "wheel-names.txt").write_text("".join(f"{n}\n" for n in wheels))
    (ASSETS / "sdist-names.txt").write_text("".join(f"{n}\n" for n in sdists))
    print(f"{len(wheels)} wheel names, {len(sdists)} sdist names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
