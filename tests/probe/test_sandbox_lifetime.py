"""Whatever kills the process that runs a sandbox, the sandbox dies with it.

As root the probe drops to a slot uid inside the sandbox, and a uid change
clears the parent-death signal: without re-arming it, a sandboxed import
outlives a ``kill -9`` of the worker and runs with no wall-time limit.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracker.probe.sandbox import available_sandboxes

LEVELS = ["bwrap", "unshare"]

_HOLDER = """
import sys
from pathlib import Path
from tracker.probe.sandbox import Limits, choose_sandbox

level, seconds, log_dir = sys.argv[1:4]
sandbox = choose_sandbox(level=level)
sandbox.run(["/bin/sleep", seconds], ro_paths=[], log_dir=Path(log_dir),
            limits=Limits(wall_seconds=3600, idle_seconds=3600, cpu_seconds=3600))
"""


def processes_with(marker: str) -> list[int]:
    """Pids of live (not zombie) processes whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() not in (entry / "cmdline").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():  # type: ignore[operator]
        time.sleep(0.05)


@pytest.mark.parametrize("level", LEVELS)
def test_sandbox_dies_with_a_killed_parent(level: str, tmp_path: Path) -> None:
    assert level in [s.level for s in available_sandboxes()]
    marker = f"3600.{random.randrange(10**8, 10**9)}"  # a unique sleep length
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, level, marker, str(tmp_path)],
        cwd=Path(__file__).parents[2],
    )
    try:
        sleepers: list[int] = []
        wait_for(lambda: any(_is_sleep(p) for p in processes_with(marker)), 60)
        sleepers = [p for p in processes_with(marker) if _is_sleep(p)]
        assert sleepers, "the sandboxed sleep never started"
        if os.geteuid() == 0:
            uids = {_real_uid(pid) for pid in sleepers}
            assert 0 not in uids  # as root it runs as a slot uid (what clears the signal)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        wait_for(lambda: not processes_with(marker), 10)
        assert processes_with(marker) == [], f"the {level} sandbox outlived its parent"
    finally:
        holder.kill()
        holder.wait()
        for pid in processes_with(marker):
            os.kill(pid, signal.SIGKILL)


def _is_sleep(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/exe").resolve().name == "sleep"
    except OSError:
        return False


def _real_uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    return -1
