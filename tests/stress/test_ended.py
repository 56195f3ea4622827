"""How a sandboxed test process that ended mid-test is read: a hang, a kill by the
run's own limits (not judged), or a crash."""

from __future__ import annotations

import signal

import pytest

from tracker.models import SandboxReport
from tracker.probe.stress import ended_while_running

TEST = "pkg/tests/test_x.py::test_x"


@pytest.mark.parametrize(
    ("report", "stack", "outcome"),
    [
        (SandboxReport("bwrap", None, signal=signal.SIGKILL, timed_out=True), "", "hung"),
        (SandboxReport("bwrap", 1), "Timeout (120s without progress, 0.01s of CPU)!", "hung"),
        (SandboxReport("bwrap", None, signal=signal.SIGKILL, oom_killed=True), "", "limited"),
        (SandboxReport("bwrap", None, signal=signal.SIGKILL), "Killed", "limited"),
        (SandboxReport("bwrap", None, signal=signal.SIGXCPU, cpu_limit_hit=True), "", "limited"),
        (SandboxReport("bwrap", None, signal=signal.SIGSEGV), "Fatal Python error", "crashed"),
        (SandboxReport("bwrap", None, signal=signal.SIGABRT), "", "crashed"),
        (SandboxReport("bwrap", 3), "", "crashed"),
    ],
)
def test_how_a_process_that_ended_mid_test_is_read(
    report: SandboxReport, stack: str, outcome: str
) -> None:
    found, evidence = ended_while_running(TEST, report, stack, stall=120)
    assert found == outcome
    assert TEST in evidence


def test_a_kill_by_the_memory_limit_says_so() -> None:
    report = SandboxReport("bwrap", None, signal=signal.SIGKILL, oom_killed=True)
    _, evidence = ended_while_running(TEST, report, "", stall=120)
    assert evidence.startswith("stopped by the run's limits (the memory limit)")
