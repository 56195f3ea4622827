"""Stress results as tests of the store, the API, the audit and the TUI record them."""

from __future__ import annotations

from tracker.stress.result import FailureClass, StressResult, StressStatus, TestFailure


def stress_result(
    project: str = "numpy",
    version: str = "2.5.5",
    target: str = "3.14t",
    status: StressStatus = StressStatus.RACES,
    *,
    at: str = "2026-12-06T10:00:00Z",
    tests_run: int = 40,
) -> StressResult:
    """A finished stress run; a ``races`` one has two failing tests, one of them flaky."""
    failing = (
        {"tests/test_a.py::test_fill": "race", "tests/test_b.py::test_sum": "race"}
        if status is StressStatus.RACES
        else {}
    )
    return StressResult(
        project=project,
        version=version,
        target=target,
        platform="manylinux_x86_64",
        status=status,
        tests_run=tests_run,
        tests_failed=len(failing),
        failing=failing,
        failures=tuple(
            TestFailure(test, FailureClass.RACE, detail="AssertionError", flaky=i == 1)
            for i, test in enumerate(failing)
        ),
        tests_collected=tests_run,
        source="wheel",
        run_parallel_version="0.10",
        pytest_version="9.0",
        reproduce="PYTHON_GIL=0 python -m pytest --parallel-threads=8",
        interpreter="3.14.7",
        sandbox="bwrap",
        duration=61.5,
        stressed_at=at,
    )
