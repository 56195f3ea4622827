"""``ftsleep``: a release that imports ready and whose one test sleeps for an hour, to
stop a stress run while its sandboxed process runs; and how to see that process."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from testkit.wheelbuild import Extension, build_binary_wheel

__all__ = ["build_sleeper", "processes_mentioning", "sleeping_test_running"]

_SLEEPING_TEST = "import time\n\n\ndef test_sleeps():\n    time.sleep(3600)\n"


def build_sleeper(dest: Path, python: Path) -> Path:
    """The wheel of ``ftsleep`` 1.0 (a C extension that keeps the GIL disabled) for
    ``python``, tagged manylinux as an index serves it, its test inside."""
    return build_binary_wheel(
        dest, python, "ftsleep", [Extension("ftsleep._c")],
        platform_tag="manylinux_2_17_x86_64",
        python_files={"ftsleep/tests/__init__.py": "",
                      "ftsleep/tests/test_sleep.py": _SLEEPING_TEST},
    )  # fmt: skip


def processes_mentioning(marker: str) -> list[int]:
    """Pids (other than this one) whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found


def sleeping_test_running(scratch: Path) -> bool:
    """Whether a stress run whose temporary directory is under ``scratch`` (its
    ``TMPDIR``) is running its tests alone: a process of it names that run's plan,
    ``alone-1.json`` (the test that sleeps)."""
    for pid in processes_mentioning(f"{scratch}/"):
        with contextlib.suppress(OSError):
            if b"alone-1.json" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
    return False
