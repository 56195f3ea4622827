"""Classify distribution files by what they offer free-threaded CPython.

Filenames are read with :func:`packaging.utils.parse_wheel_filename` and the
tags it yields, never by slicing strings.

>>> tags = classify_file("numpy-2.5.5-cp314-cp314t-manylinux_2_28_x86_64.whl")
>>> sorted(tags.targets), sorted(tags.platforms)
(['3.14t'], ['manylinux_x86_64'])
>>> classify_file("six-1.17.0-py2.py3-none-any.whl").pure
True
>>> sorted(classify_file("x-1.0-cp315-abi3.abi3t-manylinux_2_28_x86_64.whl").targets)
['3.15t']
>>> release_tag_status([classify_file("x-1.0.tar.gz")], "3.14t", "manylinux_x86_64")
<Status.SDIST_ONLY: 'sdist-only'>
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Iterable

import msgspec

from tracker.models import TARGETS, Status
from tracker.platforms import DEFAULT_PLATFORM, PLATFORMS

__all__ = [
    "DEFAULT_PLATFORM",
    "PLATFORMS",
    "FileTags",
    "classify_file",
    "glibc_platform",
    "release_tag_status",
    "release_tag_summary",
    "this_platform",
]

_ANY = "any"
#: macOS architecture words (the tag's last part) -> fttrack's platforms a wheel with it
#: installs on: what :func:`packaging.tags.mac_platforms` accepts on an x86_64 or an
#: arm64 Mac (``universal2`` on both; ``intel``, ``fat64``, ``fat32``, ``universal``
#: on x86_64). Any other word (``i386``, ``ppc``, ``fat``) keeps its own name.
_MACOS_ARCHES: dict[str, tuple[str, ...]] = {
    "arm64": ("macosx_arm64",),
    "x86_64": ("macosx_x86_64",),
    "universal2": ("macosx_arm64", "macosx_x86_64"),
    "intel": ("macosx_x86_64",),
    "fat64": ("macosx_x86_64",),
    "fat32": ("macosx_x86_64",),
    "universal": ("macosx_x86_64",),
}
#: Architecture words of the Linux, macOS, iOS and Android platform tags: ``x86_64``
#: holds an underscore, so the architecture is matched whole, never cut at the last one.
_ARCH = r"(?P<arch>x86_64|arm64_v8a|armeabi_v7a|[A-Za-z0-9]+)"
#: One row per platform family: a full match of the tag, and how the match becomes
#: fttrack's platform names (``family``: ``{family}_{arch}``; ``macos``: by
#: :data:`_MACOS_ARCHES`; ``same``: the tag itself). Tried in order; a tag no row
#: reads is kept as it is.
_PLATFORM_TABLE: tuple[tuple[re.Pattern[str], str], ...] = (
    # manylinux1_x86_64, manylinux2010_i686, manylinux2014_aarch64, manylinux_2_28_x86_64,
    # musllinux_1_2_armv7l; and the normalised names themselves (manylinux_x86_64)
    (re.compile(rf"(?P<family>manylinux|musllinux)(?:1|2010|2014|_\d+_\d+)?_{_ARCH}"), "family"),
    # linux_x86_64, linux_armv7l: built on a machine, not portable
    (re.compile(rf"(?P<family>linux)_{_ARCH}"), "family"),
    # macosx_10_13_x86_64, macosx_11_0_arm64, macosx_10_9_universal2, macosx_10_6_intel;
    # and the normalised names (macosx_x86_64)
    (re.compile(r"macosx_(?:\d+_\d+_)?(?P<arch>x86_64|[a-z0-9]+)"), "macos"),
    (re.compile(r"win32|win_amd64|win_arm64|win_ia64"), "same"),
    # PEP 730 / 738: ios_13_0_arm64_iphoneos, android_21_arm64_v8a
    (re.compile(rf"(?P<family>ios)_\d+_\d+_{_ARCH}_(?P<sdk>[a-z]+)"), "family"),
    (re.compile(rf"(?P<family>android)_\d+_{_ARCH}"), "family"),
    # emscripten_3_1_58_wasm32 (Pyodide), pyodide_2024_0_wasm32, pyemscripten_2026_0_wasm32
    (
        re.compile(r"(?P<family>emscripten|pyodide|pyemscripten)(?:_\d+)+_(?P<arch>wasm32)"),
        "family",
    ),
)
_ABI3T_FIRST_MINOR = 15


class FileTags(msgspec.Struct, frozen=True):
    """What one file on the index offers.

    ``targets``: free-threaded targets a binary wheel is built for (``3.14t``);
    ``pure``: the wheel carries no ABI-specific code (``none`` ABI), so it
    installs on every target; ``gil_only``: binary, but only for GIL builds
    (``cp314``, ``abi3``); ``platforms``: normalised platform names, or
    ``{"any"}``.
    """

    filename: str
    kind: str  # "wheel", "sdist" or "other"
    project: str | None
    version: str | None
    targets: frozenset[str] = frozenset()
    platforms: frozenset[str] = frozenset()
    pure: bool = False
    gil_only: bool = False
    abi3t: bool = False

    def serves(self, target: str, platform: str) -> bool:
        """True when this wheel installs on ``target`` × ``platform`` as a binary wheel."""
        return target in self.targets and (platform in self.platforms or _ANY in self.platforms)

    def installs_pure(self, platform: str) -> bool:
        """True when this is a pure wheel usable on ``platform``."""
        return self.pure and (_ANY in self.platforms or platform in self.platforms)


def this_platform() -> str:
    """This machine's platform in fttrack's names (``manylinux_x86_64``, ``musllinux_aarch64``,
    ``macosx_arm64``, ``win_amd64``...), from the platform tags :mod:`packaging.tags` gives
    this interpreter; :data:`DEFAULT_PLATFORM` when none is one fttrack knows."""
    glibc = glibc_platform()
    if glibc is not None:
        return glibc
    from packaging.tags import platform_tags

    for tag in platform_tags():
        for name in normalise_platform(tag):
            if name in PLATFORMS:
                return name
    return DEFAULT_PLATFORM


def glibc_platform() -> str | None:
    """``manylinux_x86_64`` or ``manylinux_aarch64`` for a 64-bit interpreter on glibc
    2.17 or newer: what :func:`this_platform` finds there through :mod:`packaging.tags`
    (its first tag, ``linux_ARCH``, is not one of fttrack's; its second is
    ``manylinux_2_N_ARCH``), without importing it (logging, subprocess, the ELF
    reader). None on anything else, or where packaging could answer otherwise: a
    ``_PYTHON_HOST_PLATFORM`` override, or a ``_manylinux`` module on the path."""
    if sys.platform != "linux" or sys.maxsize <= 2**32 or "_PYTHON_HOST_PLATFORM" in os.environ:
        return None
    machine = os.uname().machine
    if machine not in ("x86_64", "aarch64"):
        return None
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        return None
    name, _, version = libc.partition(" ")
    major, _, minor = version.partition(".")
    if name != "glibc" or not (major.isdigit() and minor.isdigit()):
        return None
    if (int(major), int(minor)) < (2, 17):
        return None
    if importlib.util.find_spec("_manylinux") is not None:
        return None
    return f"manylinux_{machine}"


def normalise_platform(tag: str) -> tuple[str, ...]:
    """Map a wheel platform tag to fttrack's platform names, by :data:`_PLATFORM_TABLE`.

    Versions (glibc, musl, macOS, API level) are dropped, the architecture kept
    whole. A normalised name maps to itself, and a tag no row reads is kept as it is.

    >>> normalise_platform("manylinux_2_17_x86_64"), normalise_platform("manylinux1_i686")
    (('manylinux_x86_64',), ('manylinux_i686',))
    >>> normalise_platform("macosx_10_13_x86_64"), normalise_platform("macosx_11_0_universal2")
    (('macosx_x86_64',), ('macosx_arm64', 'macosx_x86_64'))
    >>> normalise_platform("musllinux_1_2_aarch64"), normalise_platform("win_amd64")
    (('musllinux_aarch64',), ('win_amd64',))
    """
    if tag == _ANY:
        return (_ANY,)
    for pattern, reading in _PLATFORM_TABLE:
        match = pattern.fullmatch(tag)
        if match is None:
            continue
        if reading == "family":
            return (f"{match['family']}_{match['arch']}",)
        if reading == "macos":
            return _MACOS_ARCHES.get(match["arch"], (f"macosx_{match['arch']}",))
        return (tag,)
    return (tag,)


def _target_names_for(interpreter: str, abi: str) -> tuple[set[str], bool, bool]:
    """Targets a (interpreter, abi) pair serves, and whether it is pure / GIL-only."""
    targets: set[str] = set()
    for target in TARGETS:
        if abi == target.abi_tag:
            targets.add(target.name)
    if targets:
        return targets, False, False
    if abi == "abi3t":  # PEP 803: stable ABI for free-threaded builds, from 3.15 on
        match = re.fullmatch(r"cp3(\d+)", interpreter)
        floor = max(int(match.group(1)) if match else _ABI3T_FIRST_MINOR, _ABI3T_FIRST_MINOR)
        return {t.name for t in TARGETS if t.minor >= floor}, False, False
    if abi == "none":
        return set(), True, False
    return set(), False, True


_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz")


def _pep440(text: str) -> str | None:
    """``text`` as a normalised PEP 440 version, None when it is not one."""
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(text))
    except (InvalidVersion, ValueError):  # ValueError: a number too long to be an int
        return None


def _sdist_release(stem: str, project: str | None) -> tuple[str | None, str | None]:
    """The (project, version) an sdist's name (less its suffix) is a release of.

    With the ``project`` (canonical name) the file is listed under, pip's reading:
    the version is what follows the hyphen after a prefix that is the project's name
    (``selenium-2.0-dev-9429``: ``2.0.dev9429``), when it is a PEP 440 version
    (``pyvmomi-5.5.0-2014.1.1``: none). Without it, the name ends at the last hyphen,
    unless a hyphen before it starts a part with a digit: such a name may have
    swallowed part of the version (``thrift-0.14.0-2`` is no release ``2`` of a
    project ``thrift-0.14.0``), and the file is no release at all.
    """
    from packaging.utils import canonicalize_name

    parts = stem.split("-")
    if project is not None:
        for cut in range(1, len(parts)):
            if canonicalize_name("-".join(parts[:cut])) == project:
                return project, _pep440("-".join(parts[cut:]))
        return None, None
    if len(parts) < 2 or not parts[0]:
        return None, None
    name = canonicalize_name("-".join(parts[:-1]))
    if any(part[:1].isdigit() for part in parts[1:-1]):
        return name, None
    return name, _pep440(parts[-1])


def classify_file(filename: str, project: str | None = None) -> FileTags:
    """Classify one filename from the index (wheel, sdist or anything else).

    ``project`` is the canonical name of the project whose page lists the file:
    a file named for another project (or whose name only parses by taking part
    of the version, see :func:`_sdist_release`) then has no version, so it is
    no release of the project.

    >>> classify_file("selenium-2.0-dev-9429.tar.gz", "selenium").version
    '2.0.dev9429'
    >>> classify_file("selenium-2.0-dev-9429.tar.gz").version is None
    True
    >>> classify_file("pyvmomi-5.5.0-2014.1.1.tar.gz", "pyvmomi").version is None
    True
    """
    from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

    if filename.endswith(".whl"):
        try:
            name, version, _build, tags = parse_wheel_filename(filename)
        except InvalidWheelFilename:
            return FileTags(filename, "other", None, None)
        targets: set[str] = set()
        platforms: set[str] = set()
        pure = gil_only = abi3t = False
        for tag in tags:
            tag_targets, tag_pure, tag_gil_only = _target_names_for(tag.interpreter, tag.abi)
            targets |= tag_targets
            pure = pure or tag_pure
            gil_only = gil_only or tag_gil_only
            abi3t = abi3t or tag.abi == "abi3t"
            platforms.update(normalise_platform(tag.platform))
        foreign = project is not None and canonicalize_name(name) != project
        return FileTags(
            filename,
            "wheel",
            str(name),
            None if foreign else str(version),
            frozenset(targets),
            frozenset(platforms),
            pure=pure and not targets,
            gil_only=gil_only and not targets and not pure,
            abi3t=abi3t,
        )
    for suffix in _SDIST_SUFFIXES:
        if filename.endswith(suffix):
            release_of, release = _sdist_release(filename[: -len(suffix)], project)
            return FileTags(filename, "sdist", release_of, release)
    return FileTags(filename, "other", None, None)


def release_tag_status(files: Iterable[FileTags], target: str, platform: str) -> Status:
    """The tags-only verdict for one release on ``target`` × ``platform``."""
    files = list(files)
    wheels = [f for f in files if f.kind == "wheel"]
    if any(f.serves(target, platform) for f in wheels):
        return Status.WHEEL_ONLY
    if any(f.installs_pure(platform) for f in wheels):
        return Status.PURE
    if wheels:
        return Status.NO_FT_WHEEL
    if any(f.kind == "sdist" for f in files):
        return Status.SDIST_ONLY
    return Status.UNKNOWN


def release_tag_summary(files: Iterable[FileTags], target: str) -> tuple[Status, list[str]]:
    """The tags-only verdict of a release for ``target`` on the default platform,
    and every platform that has a free-threaded (or pure) wheel for it."""
    files = list(files)
    platforms = sorted(
        {p for f in files if f.kind == "wheel" and target in f.targets for p in f.platforms},
        key=lambda p: PLATFORMS.index(p) if p in PLATFORMS else len(PLATFORMS),
    )
    status = release_tag_status(files, target, DEFAULT_PLATFORM)
    if status is Status.PURE:
        platforms = [_ANY]
    return status, platforms
