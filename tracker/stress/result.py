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
