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
    {"event": "report", "id": ID, "when": W, "outcome": O}
    {"event": "finish", "id": ID}
    {"event": "end", "gil": bool, "exitstatus": N, "stopped": bool}

``start`` arms :func:`faulthandler.dump_traceback_later` for ``stall``
seconds: a test that makes no progress for that long gets every thread's stack
written to stderr and the process ends (exit status 1 after the dump), which
the host reads as a deadlock of that test. Past ``deadline`` seconds the
session stops before the next test (the host's time budget).

What the process reports is the package's to forge (its tests run here): the
host treats these events as the tests' own account, inside the sandbox's limits.
"""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import time
from typing import IO, Any

_WRITE = os.write
_DUMPS = json.dumps
_CHUNK = 500


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

    def emit(self, **event: object) -> None:
        try:
            _WRITE(self.fd, (_DUMPS(event) + "\n").encode())
        except OSError:
            os._exit(86)

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
        faulthandler.dump_traceback_later(self.stall, repeat=False, file=self.err, exit=True)

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or report.outcome != "passed":
            self.emit(event="report", id=report.nodeid, when=report.when, outcome=report.outcome)

    def pytest_runtest_logfinish(self, nodeid: str, location: object) -> None:
        faulthandler.cancel_dump_traceback_later()
        self.emit(event="finish", id=nodeid)

    def pytest_runtest_protocol(self, item: Any, nextitem: object) -> None:
        if time.monotonic() > self.deadline and not self.stopped:
            self.stopped = True
            item.session.shouldstop = "fttrack: time budget spent"
        return None

    def pytest_sessionfinish(self, session: object, exitstatus: int) -> None:
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
