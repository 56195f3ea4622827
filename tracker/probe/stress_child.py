"""Runs a release's own tests with pytest inside the sandbox and reports on a pipe.

This file runs under the stressed free-threaded interpreter, inside the
sandbox, with ``python -I -B -X gil=0|1 -X faulthandler stress_child.py
EVENTS_FD PLAN``. It must not import fttrack. ``PLAN`` is a JSON file::

    {"args": [pytest arguments], "select": [node ids] or null,
     "stall": seconds, "deadline": seconds, "collect_only": bool}

Each event is one JSON line on EVENTS_FD::

    {"event": "collected", "ids": [...]}         (in chunks, when collect_only)
    {"event": "collecterror", "id": ID}          (a file that could not be collected)
    {"event": "start", "id": ID}
    {"event": "busy", "id": ID, "cpu": seconds}  (no progress for ``stall`` s, but computing)
    {"event": "slow", "id": ID}                  (still computing at the deadline: ends)
    {"event": "report", "id": ID, "when": W, "outcome": O}
    {"event": "finish", "id": ID}
    {"event": "end", "gil": bool, "exitstatus": N, "stopped": bool}

A test that makes no progress for ``stall`` seconds is **stuck** only when the
process used almost no CPU meanwhile (threads blocked on each other use none):
a watchdog thread then writes every thread's stack to stderr and ends the
process (exit status 1), which the host reads as a deadlock of that test. A
test whose threads keep computing (a slow test on a loaded machine: eight
threads of a key derivation on two cores) is given another ``stall`` seconds
(a ``busy`` event) until ``deadline``, where it is reported ``slow`` and the
process ends: slow is not stuck. :func:`faulthandler.dump_traceback_later`
stays armed as a backstop for a test that keeps the watchdog from running (a C
call that holds the GIL forever with ``-X gil=1``). Past ``deadline`` seconds
the session stops before the next test (the host's time budget).

What the process reports is the package's to forge (its tests run here): the
host treats these events as the tests' own account, inside the sandbox's limits.
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import threading
import time
from typing import IO, Any

_WRITE = os.write
_DUMPS = json.dumps
_CHUNK = 500
#: Files a selection never leaves out: a package's marker, a directory's fixtures.
_ALWAYS_COLLECTED = frozenset({"__init__.py", "conftest.py"})
#: A test without progress counts as computing (slow, not stuck) when the process
#: used at least this share of one CPU over the stall window.
_BUSY_SHARE = 0.05


class _Watchdog:
    """Tells a stuck test (threads blocked: no CPU) from a slow one (computing)."""

    def __init__(self, reporter: _Reporter) -> None:
        self.reporter = reporter
        self.test: str | None = None
        self.since = 0.0
        self.cpu = 0.0

    def arm(self, test: str) -> None:
        self.since, self.cpu = time.monotonic(), time.process_time()
        self.test = test

    def disarm(self) -> None:
        self.test = None

    def watch(self) -> None:
        """The watchdog thread: once a second, judge the test in flight."""
        reporter = self.reporter
        while True:
            time.sleep(1.0)
            test, now = self.test, time.monotonic()
            if test is None or now - self.since < reporter.stall:
                continue
            used = time.process_time() - self.cpu
            if used < _BUSY_SHARE * (now - self.since):
                reporter.err.write(
                    f"Timeout ({reporter.stall:.0f}s without progress, "
                    f"{used:.2f}s of CPU meanwhile)!\n"
                )
                reporter.err.flush()
                faulthandler.dump_traceback(file=reporter.err, all_threads=True)
                os._exit(1)
            if now >= reporter.deadline:
                reporter.emit(event="slow", id=test)
                os._exit(1)
            reporter.emit(event="busy", id=test, cpu=round(used, 2))
            self.since, self.cpu = now, time.process_time()


class _Reporter:
    """The pytest plugin that writes the events."""

    def __init__(self, fd: int, plan: dict[str, Any], err: IO[str]) -> None:
        self.fd = fd
        self.err = err
        self.select = set(plan["select"]) if plan.get("select") is not None else None
        self.stall = float(plan.get("stall", 120))
        self.deadline = time.monotonic() + float(plan.get("deadline", 3600))
        self.collect_only = bool(plan.get("collect_only"))
        self.stopped = False
        self.watchdog = _Watchdog(self)
        threading.Thread(target=self.watchdog.watch, name="fttrack-watchdog", daemon=True).start()

    def emit(self, **event: object) -> None:
        try:
            _WRITE(self.fd, (_DUMPS(event) + "\n").encode())
        except OSError:
            os._exit(86)

    def pytest_configure(self, config: Any) -> None:
        """Note the files (and their directories) that hold the selected tests."""
        self.files: set[Any] | None = None
        self.dirs: set[Any] = set()
        if self.select is None:
            return
        root = config.rootpath
        self.files = {root / test.split("::", 1)[0] for test in self.select}
        for path in self.files:
            self.dirs.update(path.parents)

    def pytest_ignore_collect(self, collection_path: Any, config: Any) -> bool | None:
        """Leave unselected files and directories uncollected: a selection of 300 tests
        of pandas' 216,000 imports only their files instead of collecting all again."""
        if self.files is None or collection_path.name in _ALWAYS_COLLECTED:
            return None
        if collection_path in self.files or collection_path in self.dirs:
            return None
        return True

    def pytest_collection_modifyitems(self, session: Any, config: Any, items: list[Any]) -> None:
        if self.select is not None:
            kept = [item for item in items if item.nodeid in self.select]
            dropped = [item for item in items if item.nodeid not in self.select]
            items[:] = kept
            config.hook.pytest_deselected(items=dropped)
        if self.collect_only:
            ids = [item.nodeid for item in items]
            for at in range(0, len(ids), _CHUNK):
                self.emit(event="collected", ids=ids[at : at + _CHUNK])

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.emit(event="collecterror", id=report.nodeid)

    def pytest_runtest_logstart(self, nodeid: str, location: object) -> None:
        self.emit(event="start", id=nodeid)
        self.watchdog.arm(nodeid)
        backstop = max(self.deadline - time.monotonic(), 0.0) + self.stall
        faulthandler.dump_traceback_later(backstop, repeat=False, file=self.err, exit=True)

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or report.outcome != "passed":
            self.emit(event="report", id=report.nodeid, when=report.when, outcome=report.outcome)

    def pytest_runtest_logfinish(self, nodeid: str, location: object) -> None:
        self.watchdog.disarm()
        faulthandler.cancel_dump_traceback_later()
        self.emit(event="finish", id=nodeid)

    def pytest_runtest_protocol(self, item: Any, nextitem: object) -> None:
        if time.monotonic() > self.deadline and not self.stopped:
            self.stopped = True
            item.session.shouldstop = "fttrack: time budget spent"
        return None

    def pytest_sessionfinish(self, session: object, exitstatus: int) -> None:
        self.watchdog.disarm()
        faulthandler.cancel_dump_traceback_later()
        gil = getattr(sys, "_is_gil_enabled", lambda: True)()
        self.emit(event="end", gil=bool(gil), exitstatus=int(exitstatus), stopped=self.stopped)


def main() -> None:
    """Run pytest with the reporter as the plan says; exit with its status."""
    fd = int(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as handle:
        plan = json.load(handle)
    del sys.argv[1:]
    # pytest captures fd 2 while a test runs: faulthandler writes to a copy of the
    # real stderr instead, so that a crash's or a stall's stacks reach the host.
    err = os.fdopen(os.dup(2), "w")
    faulthandler.enable(file=err, all_threads=True)
    import pytest

    reporter = _Reporter(fd, plan, err)
    args = list(plan["args"])
    if reporter.collect_only:
        args.append("--collect-only")
    code = pytest.main(args, plugins=[reporter])
    sys.stdout.flush()
    os._exit(int(code) if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
