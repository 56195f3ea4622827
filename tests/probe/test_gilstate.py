"""The host reads a free-threaded interpreter's GIL flag from outside its process.

Only trusted processes here (the interpreters themselves, no package code).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tracker.probe import gilstate
from tracker.pythons.discover import Interpreter


@contextmanager
def running(argv: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(argv)
    try:
        time.sleep(0.5)  # started, its runtime initialised
        yield process
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize("gil", [0, 1])
def test_the_host_reads_the_flag_the_interpreter_runs_with(
    target_interpreter: Interpreter, gil: int
) -> None:
    location = gilstate.locate(target_interpreter.path)
    argv = [str(target_interpreter.path), "-I", "-S", "-X", f"gil={gil}", "-c",
            "import time; time.sleep(30)"]  # fmt: skip
    with running(["/bin/sh", "-c", '"$@"; :', "sh", *argv]) as shell:
        pid = gilstate.find_interpreter_process(shell.pid, location)
        assert pid is not None and pid != shell.pid
        value = gilstate.read_gil(pid, location)
        assert (value != 0) is bool(gil)
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state not in ("T", "t"), "the process was left stopped"


def test_another_program_is_not_read(target_interpreter: Interpreter) -> None:
    location = gilstate.locate(target_interpreter.path)
    with running(["/bin/sleep", "30"]) as other:
        assert gilstate.find_interpreter_process(other.pid, location) is None
        with pytest.raises(gilstate.GilReadError, match="no longer runs the interpreter"):
            gilstate.read_gil(other.pid, location)
