"""Where a release's own tests come from, read on the host without running anything.

1. **The installed wheel**: test modules the distribution ships (numpy,
   pandas, scipy and scikit-learn ship theirs): ``test_*.py`` or ``*_test.py``
   files inside a ``tests``, ``test`` or ``testing`` package of the wheel.
2. **The release's sdist**: its top-level ``tests/`` or ``test/`` directory and
   its top-level ``conftest.py`` are unpacked on the host by
   :func:`extract_tests`, nothing else of it: the tests import the installed
   wheel, never the sdist's sources. The archive is checked like a wheel
   (members, declared and decompressed sizes, paths, file kinds).
3. Else the release has no tests to run (``no-tests``).

The sdist's ``pyproject.toml`` is read from the same pass, for its dependency
groups (:func:`dependency_groups`).
"""

from __future__ import annotations

import lzma
import os
import tarfile
import tomllib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from tracker.probe.archives import sdist_members

__all__ = [
    "MAX_TEST_BYTES",
    "TEST_DIRS",
    "TEST_EXTRAS",
    "ExtractedTests",
    "dependency_groups",
    "extract_tests",
    "is_test_file",
    "wheel_test_files",
]

#: Top-level directories of an sdist whose files are tests, in any case (Pillow's
#: are in ``Tests/``).
TEST_DIRS = ("tests", "test")
#: Extras and dependency groups that name a release's test requirements.
TEST_EXTRAS = ("test", "tests", "testing")
#: The most an sdist's tests may unpack to, in all (bytes).
MAX_TEST_BYTES = 512 << 20
#: The most bytes decompressed from an sdist while looking for its tests.
MAX_SCAN_BYTES = 1 << 30
_MAX_PYPROJECT = 1 << 20
_TEST_PACKAGES = frozenset({"tests", "test", "testing"})


def is_test_file(name: str) -> bool:
    """Whether a file name is one pytest collects by default.

    >>> is_test_file("test_core.py"), is_test_file("core_test.py"), is_test_file("core.py")
    (True, True, False)
    """
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def wheel_test_files(site_packages: Path, modules: Sequence[str]) -> list[Path]:
    """The test files a distribution ships (its dotted ``modules``, from its RECORD),
    as paths under ``site_packages``: only those inside a ``tests``/``test``/``testing``
    package, sorted."""
    found: list[Path] = []
    for module in modules:
        parts = module.split(".")
        if len(parts) < 2 or not _TEST_PACKAGES & set(parts[:-1]):
            continue
        if not is_test_file(parts[-1] + ".py"):
            continue
        path = site_packages.joinpath(*parts[:-1], parts[-1] + ".py")
        if path.is_file() and not path.is_symlink():
            found.append(path)
    return sorted(set(found))


def roots_of_tests(site_packages: Path, files: Sequence[Path]) -> list[Path]:
    """The outermost ``tests``/``test``/``testing`` package of each file in ``files``
    (test files under ``site_packages``), sorted, once each.

    pytest is given these directories rather than every file: a file given on the
    command line makes the conftest.py files of its directory load at start-up, where
    a module-level ``pytest.importorskip`` of an optional dependency (pandas'
    ``tests/arrays/arrow/conftest.py``) ends the whole session; met while collecting
    a directory, the same conftest only skips its own tests.

    >>> site = Path("/site")
    >>> roots_of_tests(site, [site / "pd/tests/a/test_x.py", site / "pd/tests/test_y.py",
    ...                   site / "pd/io/tests/test_z.py"])
    [PosixPath('/site/pd/io/tests'), PosixPath('/site/pd/tests')]
    """
    roots: set[Path] = set()
    for path in files:
        parts = path.relative_to(site_packages).parts
        first = next((i for i, part in enumerate(parts[:-1]) if part in _TEST_PACKAGES), None)
        roots.add(site_packages.joinpath(*parts[: first + 1]) if first is not None else path)
    return sorted(roots)


@dataclass
class ExtractedTests:
    """What :func:`extract_tests` unpacked, or why nothing."""

    #: The directory holding the unpacked ``tests``/``test`` directory (the run's rootdir).
    root: Path | None = None
    #: The unpacked test directories (``root/tests``...).
    test_dirs: list[Path] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    #: The sdist's ``pyproject.toml`` (text), when it has one.
    pyproject: str | None = None
    #: Why nothing was unpacked (an archive refused, no test directory).
    refused: str = ""


def _inside(name: str) -> tuple[str, ...] | None:
    """The member's path below the sdist's top directory, or None when it is unsafe
    (absolute, ``..``, empty parts, a backslash or a NUL)."""
    if "\\" in name or "\0" in name or name.startswith("/"):
        return None
    parts = PurePosixPath(name).parts
    if not parts or any(p in ("..", "") for p in parts):
        return None
    return tuple(p for p in parts[1:] if p != ".")


def _wanted(parts: tuple[str, ...]) -> str:
    """``test`` for a member under a top-level test directory or the top conftest.py,
    ``pyproject`` for the top pyproject.toml, else ``""``."""
    if len(parts) >= 2 and parts[0].lower() in TEST_DIRS:
        return "test"
    if parts == ("conftest.py",):
        return "test"
    if parts == ("pyproject.toml",):
        return "pyproject"
    return ""


def extract_tests(sdist: Path, dest: Path, *, max_bytes: int = MAX_TEST_BYTES) -> ExtractedTests:
    """Unpack the sdist's top-level ``tests/`` or ``test/`` and ``conftest.py`` into
    ``dest`` (and read its ``pyproject.toml``), refusing an archive that is unsafe.

    Only regular files and directories are written (links and devices are
    skipped), under ``dest`` only, world-readable (the sandbox's uid reads them);
    their declared and real sizes count against ``max_bytes``.
    """
    extracted = ExtractedTests(root=dest)
    dest.mkdir(parents=True, exist_ok=True)
    dest.chmod(0o755)
    try:
        for name, is_file, is_dir, size, open_member in sdist_members(
            sdist, max_scan_bytes=MAX_SCAN_BYTES
        ):
            parts = _inside(name)
            if parts is None:
                return ExtractedTests(refused=f"{sdist.name}: unsafe member path {name[:200]!r}")
            kind = _wanted(parts)
            if not kind or not (is_file or is_dir):
                continue
            if kind == "pyproject":
                if is_file and size <= _MAX_PYPROJECT:
                    handle = open_member()
                    if handle is not None:
                        extracted.pyproject = handle.read(_MAX_PYPROJECT).decode("utf-8", "replace")
                continue
            target = dest.joinpath(*parts)
            if is_dir:
                _mkdirs(dest, target)
                continue
            if extracted.bytes + size > max_bytes:
                return ExtractedTests(
                    refused=f"{sdist.name}: its tests declare more than {max_bytes:,} bytes"
                )
            _mkdirs(dest, target.parent)
            handle = open_member()
            if handle is None:
                continue
            written = _copy(handle, target, max_bytes - extracted.bytes)
            if written < 0:
                return ExtractedTests(
                    refused=f"{sdist.name}: its tests unpack to more than {max_bytes:,} bytes"
                )
            extracted.bytes += written
            extracted.files += 1
    except (OSError, EOFError, ValueError, tarfile.TarError, zipfile.BadZipFile,
            lzma.LZMAError) as exc:  # fmt: skip
        return ExtractedTests(refused=f"cannot read {sdist.name}: {exc}"[:300])
    extracted.test_dirs = sorted(
        p for p in dest.iterdir() if p.is_dir() and p.name.lower() in TEST_DIRS
    )
    if not extracted.test_dirs:
        extracted.refused = f"{sdist.name} has no top-level tests/ or test/ directory"
    return extracted


def _mkdirs(dest: Path, directory: Path) -> None:
    """Make ``directory`` (under ``dest``) and its parents, each 0755."""
    missing = [p for p in (directory, *directory.parents) if p != dest and dest in p.parents]
    for path in reversed(missing):
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise ValueError(f"{path.name} is not a directory")
        if not path.exists():
            path.mkdir()
            path.chmod(0o755)


def _copy(handle: IO[bytes], target: Path, budget: int) -> int:
    """Copy at most ``budget`` bytes to ``target`` (a new 0644 file); -1 when over."""
    if target.is_symlink() or target.exists():
        target.unlink()
    written = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as out:
        while chunk := handle.read(1 << 20):
            written += len(chunk)
            if written > budget:
                return -1
            out.write(chunk)
    target.chmod(0o644)
    return written


def dependency_groups(pyproject: str | None, names: Sequence[str] = TEST_EXTRAS) -> list[str]:
    """The requirements of the test dependency groups a ``pyproject.toml`` declares
    (PEP 735 ``[dependency-groups]``; ``{include-group = ...}`` followed, no cycles).

    >>> text = '[dependency-groups]\\ntests = ["pytest", {include-group = "x"}]\\nx = ["attrs"]'
    >>> dependency_groups(text)
    ['pytest', 'attrs']
    """
    if not pyproject:
        return []
    try:
        groups = tomllib.loads(pyproject).get("dependency-groups")
    except tomllib.TOMLDecodeError:
        return []
    if not isinstance(groups, dict):
        return []
    found: list[str] = []

    def walk(name: str, seen: frozenset[str]) -> None:
        entries = groups.get(name)
        if not isinstance(entries, list) or name in seen:
            return
        for entry in entries[:200]:
            if isinstance(entry, str):
                found.append(entry)
            elif isinstance(entry, dict) and isinstance(entry.get("include-group"), str):
                walk(entry["include-group"], seen | {name})

    for name in names:
        walk(name, frozenset())
    return list(dict.fromkeys(found))
