"""This machine's platform: the glibc shortcut answers what packaging.tags would."""

from __future__ import annotations

import os
import sys

import pytest
from packaging.tags import platform_tags

from tracker import wheels
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
