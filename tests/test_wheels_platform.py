"""Platforms: how wheel platform tags are read (real names from the index), and this
machine's platform (the glibc shortcut answers what packaging.tags would)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from packaging.tags import mac_platforms, platform_tags
from packaging.utils import parse_wheel_filename

from tracker import wheels
from tracker.models import Status
from tracker.platforms import DEFAULT_PLATFORM, PLATFORMS


def _through_packaging() -> str:
    for tag in platform_tags():
        for name in wheels.normalise_platform(tag):
            if name in PLATFORMS:
                return name
    return DEFAULT_PLATFORM


def test_the_glibc_shortcut_agrees_with_packaging() -> None:
    assert wheels.glibc_platform() in (None, _through_packaging())
    assert wheels.this_platform() == _through_packaging()


@pytest.mark.parametrize(
    ("libc", "expected"),
    [("glibc 2.36", "manylinux"), ("glibc 2.16", None), ("", None), ("musl 1.2", None)],
)
def test_the_glibc_shortcut_steps_aside_when_unsure(
    libc: str, expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(os, "confstr", lambda _name: libc)
    found = wheels.glibc_platform()
    machine = os.uname().machine
    if expected is None or machine not in ("x86_64", "aarch64"):
        assert found is None
    else:
        assert found == f"manylinux_{machine}"
    monkeypatch.setenv("_PYTHON_HOST_PLATFORM", "linux-x86_64")
    assert wheels.glibc_platform() is None


# -- reading platform tags: real wheel names from the index ------------------------------

_ASSETS = Path(__file__).resolve().parent / "assets" / "index"
#: Real wheel file names (tests/index/record_wheel_names.py): 46 projects, every kind of tag.
WHEEL_NAMES = (_ASSETS / "wheel-names.txt").read_text().split()
#: Architectures of the Linux wheels in WHEEL_NAMES.
_LINUX_ARCHES = {"x86_64", "aarch64", "i686", "ppc64le", "ppc64", "s390x", "armv7l", "riscv64"}
_MAC_X86_64 = {str(t) for t in mac_platforms((30, 0), "x86_64")}
_MAC_ARM64 = {str(t) for t in mac_platforms((30, 0), "arm64")}


def _tags(filename: str) -> list[str]:
    return sorted({t.platform for t in parse_wheel_filename(filename)[3]})


def test_the_recorded_names_hold_every_family() -> None:
    platforms = [p for name in WHEEL_NAMES for p in _tags(name)]
    assert len(WHEEL_NAMES) >= 300
    for prefix in ("macosx_10_", "macosx_11_0_", "manylinux1_", "manylinux2010_",
                   "manylinux2014_", "manylinux_2_", "musllinux_1_", "win32", "win_amd64",
                   "win_arm64"):  # fmt: skip
        assert any(p.startswith(prefix) for p in platforms), prefix
    for arch in ("_x86_64", "_arm64", "_universal2", "_intel"):
        assert any(p.startswith("macosx_") and p.endswith(arch) for p in platforms), arch


@pytest.mark.parametrize("filename", WHEEL_NAMES)
def test_every_platform_tag_of_a_real_wheel_is_read_by_its_family(filename: str) -> None:
    for tag in _tags(filename):
        names = wheels.normalise_platform(tag)
        if tag.startswith("macosx_"):
            # what packaging installs on an x86_64 Mac and on an arm64 Mac
            assert set(names) <= {"macosx_x86_64", "macosx_arm64"}, tag
            assert ("macosx_x86_64" in names) == (tag in _MAC_X86_64), tag
            assert ("macosx_arm64" in names) == (tag in _MAC_ARM64), tag
        elif tag.startswith(("manylinux", "musllinux")):
            [name] = names
            family, _, arch = name.partition("_")
            assert family == tag[: len("manylinux")] and arch in _LINUX_ARCHES, tag
            assert tag.endswith(f"_{arch}"), tag
        elif tag.startswith("win"):
            assert names == (tag,) and tag in PLATFORMS
        else:
            assert tag == "any" or not set(names) & set(PLATFORMS), tag


@pytest.mark.parametrize("filename", WHEEL_NAMES)
def test_the_linux_tags_of_one_wheel_name_one_platform(filename: str) -> None:
    # manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64: one platform
    for family in ("manylinux", "musllinux"):
        tags = [t for t in _tags(filename) if t.startswith(family)]
        assert len({n for t in tags for n in wheels.normalise_platform(t)}) == min(len(tags), 1)


@pytest.mark.parametrize("name", [*PLATFORMS, "linux_x86_64", "musllinux_i686"])
def test_a_normalised_name_reads_as_itself(name: str) -> None:
    assert wheels.normalise_platform(name) == (name,)


@pytest.mark.parametrize(
    ("filename", "target"),
    [
        ("markupsafe-3.0.3-cp313-cp313t-macosx_10_13_x86_64.whl", "3.13t"),
        ("pyyaml-6.0.3-cp314-cp314t-macosx_10_13_x86_64.whl", "3.14t"),
    ],
)
def test_a_macos_x86_64_wheel_serves_macos_x86_64(filename: str, target: str) -> None:
    # these were filed under "macosx_64" (the tag cut at its last underscore)
    assert filename in WHEEL_NAMES
    tags = wheels.classify_file(filename)
    assert tags.platforms == {"macosx_x86_64"}
    assert wheels.release_tag_status([tags], target, "macosx_x86_64") is Status.WHEEL_ONLY
    assert wheels.release_tag_status([tags], target, "macosx_arm64") is Status.NO_FT_WHEEL
