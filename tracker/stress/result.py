"""A stress result: what running a release's own tests in many threads found.

A stress result belongs to (project, version, target, platform), beside the
import verdict, and never changes it: it is a second tier, with its own
status, evidence date and history. docs/stress.md says what each status means
and does not mean.
"""

from __future__ import annotations

import enum

import msgspec

from tracker.vocabulary import StressStatus as StressStatus


class FailureClass(enum.StrEnum):
    """Why one test counts as failing in threads."""

    #: A signal killed the interpreter while this test ran in threads (GIL disabled).
    CRASH = "crash"
    #: This test made no progress within the limit in threads (GIL disabled).
    DEADLOCK = "deadlock"
    #: Fails in threads with the GIL disabled; passes alone and in threads with the GIL on.
    RACE = "race"
    #: Fails in threads with the GIL on too: the test itself is not thread-safe.
    UNSAFE = "unsafe"


class TestFailure(msgspec.Struct, frozen=True):
    """One failing test: its class, and the evidence for it (a stack, the signal)."""

    __test__ = False  # not a pytest test class

    id: str
    failure: FailureClass
    detail: str = ""
    #: Whether it failed in only one of the two threaded runs (retried once).
    flaky: bool = False


class StressResult(msgspec.Struct, frozen=True):
    """Everything one stress run of (project, version, target, platform) found."""

    project: str
    version: str
    target: str
    platform: str
    status: StressStatus
    #: Tests run alone (one thread, GIL disabled): the suite, or its subset.
    tests_run: int = 0
    #: Tests that failed in threads (every class).
    tests_failed: int = 0
    #: Test id -> class, for every failing test.
    failing: dict[str, str] = msgspec.field(default_factory=dict)
    #: The failing tests with their evidence.
    failures: tuple[TestFailure, ...] = ()
    #: Tests that failed (or crashed, or hung) alone: left out of the threaded runs.
    failed_alone: int = 0
    #: Tests pytest collected in all, and the share of them that ran (a subset: < 1).
    tests_collected: int = 0
    fraction: float = 1.0
    threads: int = 8
    iterations: int = 1
    seed: int = 0
    #: Where the tests came from: ``wheel``, ``sdist`` or ``""`` (none).
    source: str = ""
    run_parallel_version: str = ""
    pytest_version: str = ""
    #: Test requirements that could not be installed (named, never fatal).
    not_installed: tuple[str, ...] = ()
    #: Test files that could not be collected.
    not_collected: tuple[str, ...] = ()
    #: The command that reproduces the threaded run on a machine of yours.
    reproduce: str = ""
    interpreter: str = ""
    sandbox: str = ""
    detail: str = ""
    duration: float = 0.0
    timings: dict[str, float] = msgspec.field(default_factory=dict)
    stressed_at: str = ""
    installed: tuple[str, ...] = ()


class StressBlock(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=False):
    """A stress result as a project document, the API and the feed carry it: beside the
    import verdict of (release, target), with its own date; it never changes the
    verdict's ``status``."""

    status: StressStatus
    stressed_at: str | None = None
    tests_run: int = 0
    tests_failed: int = 0
    #: Test id -> class (``crash``, ``deadlock``, ``race``, ``unsafe``).
    failing: dict[str, str] = {}
    tests_collected: int = 0
    fraction: float = 1.0
    threads: int = 8
    iterations: int = 1
    run_parallel_version: str = ""
    source: str = ""
    platform: str = ""
    interpreter: str = ""
    detail: str = ""


def stress_block(result: StressResult) -> StressBlock:
    """The document form of ``result`` (no stacks, no installed list)."""
    return StressBlock(
        status=result.status,
        stressed_at=result.stressed_at or None,
        tests_run=result.tests_run,
        tests_failed=result.tests_failed,
        failing=dict(result.failing),
        tests_collected=result.tests_collected,
        fraction=result.fraction,
        threads=result.threads,
        iterations=result.iterations,
        run_parallel_version=result.run_parallel_version,
        source=result.source,
        platform=result.platform,
        interpreter=result.interpreter,
        detail=result.detail,
    )


def stress_note(block: StressBlock) -> str:
    """One line for an audit row that has a stress result.

    >>> stress_note(StressBlock(StressStatus.RACES, tests_run=40, tests_failed=2, threads=8))
    'races in its own tests: 2 of 40 fail in 8 threads without the GIL'
    >>> stress_note(StressBlock(StressStatus.PASSED, tests_run=79, threads=8))
    'its own tests pass in 8 threads without the GIL (79 tests)'
    """
    share = f", {block.fraction:.0%} of its suite" if block.fraction < 1 else ""
    if block.status is StressStatus.PASSED:
        threads, run = block.threads, block.tests_run
        return f"its own tests pass in {threads} threads without the GIL ({run} tests{share})"
    if block.status is StressStatus.NO_TESTS:
        return "no tests of its own to run in threads"
    words = {
        StressStatus.CRASHED: "crashes in its own tests",
        StressStatus.DEADLOCKED: "hangs in its own tests",
        StressStatus.RACES: "races in its own tests",
        StressStatus.UNSAFE_TESTS: "its own tests are not thread-safe",
    }[block.status]
    return (
        f"{words}: {block.tests_failed} of {block.tests_run} fail in {block.threads} threads "
        f"without the GIL{share}"
    )


def stress_summary(statuses: list[StressStatus]) -> str:
    """The audit summary's words for its rows' stress results ("" when none has one).

    >>> stress_summary([StressStatus.RACES, StressStatus.PASSED, StressStatus.RACES])
    '2 with races in their own tests, 1 passing its own tests in threads'
    """
    phrases = {
        StressStatus.CRASHED: ("crashing in its own tests", "crashing in their own tests"),
        StressStatus.DEADLOCKED: ("hanging in its own tests", "hanging in their own tests"),
        StressStatus.RACES: ("with races in its own tests", "with races in their own tests"),
        StressStatus.UNSAFE_TESTS: ("with thread-unsafe tests", "with thread-unsafe tests"),
        StressStatus.PASSED: (
            "passing its own tests in threads",
            "passing their own tests in threads",
        ),
    }
    parts = []
    for status, (one, many) in phrases.items():
        count = statuses.count(status)
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    return ", ".join(parts)
