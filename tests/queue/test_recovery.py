"""A worker killed mid-probe, then the same release queued again during its recovery window.

Real ``fttrack worker`` processes on real PostgreSQL; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.queue.conftest import TARGET, Workers, sql, wait_for
from tracker.config import load_settings
from tracker.models import ProbeJob
from tracker.queue.app import TASK_NAME, ProbeQueue, job_lock, make_app, queue_name
from tracker.queue.health import queue_health
from tracker.service import TrackerService
from tracker.store.engine import open_store


def _jobs(url: str) -> list[tuple[int, str, int]]:
    """(id, status, attempts) of every job."""
    rows = sql(url, "SELECT id, status::text, attempts FROM procrastinate_jobs ORDER BY id")
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


def _history(url: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in sql(url, "SELECT project, version, target, status FROM probe_runs")]


def _drained(url: str) -> bool:
    return bool(_jobs(url)) and all(
        status not in ("todo", "doing") for _i, status, _a in _jobs(url)
    )


def _kill_mid_probe(url: str, workers: Workers, project: str) -> int:
    """Queue ``project`` 1.0, let a worker start probing it, ``kill -9`` it; the job's id."""
    with ProbeQueue(url) as queue:
        assert queue.enqueue(ProbeJob(project, "1.0", TARGET))
    first = workers.start()
    wait_for(lambda: _jobs(url)[0][1] == "doing", 60, "a worker to take the job")
    time.sleep(2)  # into the install and the import
    workers.kill9(first)
    job_id, status, attempts = _jobs(url)[0]
    assert (status, attempts) == ("doing", 0) and _history(url) == []
    return job_id


def _recrawl(url: str) -> int:
    """Hand the release to the queue as a crawl tick (or ``POST /probe``) does; jobs added."""
    store = open_store(url, seed=False)
    queue = ProbeQueue(url)
    try:
        tracker = TrackerService(store, load_settings(), targets=[TARGET], probe_workers=0,
                          enqueue=queue.enqueue)  # fmt: skip
        return sum(tracker.queue_probes([ProbeJob("ftsleepy", "1.0", TARGET)]) for _ in range(3))
    finally:
        queue.close()
        store.close()


def _assert_one_probe_and_drained(url: str) -> None:
    wait_for(lambda: _drained(url), 120, "the queue to drain")
    assert _history(url) == [("ftsleepy", "1.0", TARGET, "ready")]  # exactly one probe
    health = queue_health(url, alive_seconds=5)
    assert health["stalled_jobs"] == 0
    assert health["totals"]["todo"] == 0 and health["totals"]["doing"] == 0
    assert health["totals"]["succeeded"] == 1


def test_recrawl_during_recovery_window_ends_in_one_probe(pg_url: str, workers: Workers) -> None:
    job_id = _kill_mid_probe(pg_url, workers, "ftsleepy")
    assert _recrawl(pg_url) == 0  # the dead worker's job stands for the release
    second = workers.start()
    _assert_one_probe_and_drained(pg_url)
    assert _jobs(pg_url) == [(job_id, "succeeded", 2)]  # the killed try and the finished one
    assert "requeued (try 2 of 3)" in workers.log_of(second)


def test_duplicate_queued_beside_a_stalled_job_is_cancelled_and_the_release_probed_once(
    pg_url: str, workers: Workers
) -> None:
    """A duplicate queued while the job was stalled (e.g. by a producer that did not look
    for running jobs) must not keep the stalled job from being put back."""
    job_id = _kill_mid_probe(pg_url, workers, "ftsleepy")
    lock = job_lock("ftsleepy", "1.0", TARGET)
    app = make_app(pg_url, asynchronous=False)
    with app.open():
        duplicate = app.configure_task(
            TASK_NAME, queue=queue_name(TARGET), lock=lock, queueing_lock=lock
        ).defer(project="ftsleepy", version="1.0", target=TARGET)
    assert duplicate != job_id
    second = workers.start()
    _assert_one_probe_and_drained(pg_url)
    assert _jobs(pg_url) == [(job_id, "succeeded", 2), (duplicate, "cancelled", 0)]
    log = workers.log_of(second)
    assert f"cancelled its waiting duplicate(s) [{duplicate}]" in log
    assert "requeued (try 2 of 3)" in log


# --- a killed worker leaves no sandbox process behind ----------------------------------


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, start time in clock ticks) of every process."""
    table: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        table[int(entry.name)] = (int(fields[1]), int(fields[19]))
    return table


def _descendants(root: int) -> set[tuple[int, int]]:
    """(pid, start time) of every process below ``root``."""
    table = _proc_table()
    found: set[tuple[int, int]] = set()
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, started) in table.items():
            if ppid == parent and (pid, started) not in found:
                found.add((pid, started))
                frontier.append(pid)
    return found


def _importing(root: int) -> bool:
    """True once a process below ``root`` is the probe's interpreter importing the package."""
    for pid, _started in _descendants(root):
        try:
            if b"faulthandler" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def _alive(processes: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those of ``processes`` that still run (same pid and start time: not a reused pid)."""
    table = _proc_table()
    return {(pid, started) for pid, started in processes if table.get(pid, (0, -1))[1] == started}


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox runs its full (bwrap) level as root")
def test_worker_killed_mid_probe_leaves_no_sandbox_process(pg_url: str, workers: Workers) -> None:
    with ProbeQueue(pg_url) as queue:
        assert queue.enqueue(ProbeJob("ftforever", "1.0", TARGET))  # the import sleeps 40 s
    worker = workers.start()
    wait_for(lambda: _jobs(pg_url)[0][1] == "doing", 60, "the worker to take the job")
    wait_for(lambda: _importing(worker.pid), 60, "the sandboxed import to start")
    sandbox = _descendants(worker.pid)
    assert len(sandbox) >= 2  # at least the sandbox and the interpreter it runs
    try:
        workers.kill9(worker)
        wait_for(lambda: not _alive(sandbox), 15, "the sandbox's processes to die with the worker")
    finally:
        for pid, _started in _alive(sandbox):  # only what this test's worker started
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
