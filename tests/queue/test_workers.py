"""Real ``fttrack worker`` processes on a real PostgreSQL queue, probing real wheels.

Each test bounds its own waiting; leftover workers are killed by the fixture.
"""

from __future__ import annotations

import re
import signal
import time
from datetime import UTC, datetime, timedelta

from tests.queue.conftest import TARGET, Workers, sql, wait_for
from tracker.models import ProbeJob
from tracker.queue.app import ProbeQueue
from tracker.queue.health import queue_health


def _enqueue(url: str, *jobs: tuple[str, str]) -> None:
    with ProbeQueue(url) as queue:
        for project, version in jobs:
            assert queue.enqueue(ProbeJob(project, version, TARGET))


def _jobs(url: str) -> list[tuple[int, str, int, str]]:
    """(id, status, attempts, project) of every job."""
    return [
        (r[0], r[1], r[2], r[3]["project"])
        for r in sql(
            url, "SELECT id, status::text, attempts, args FROM procrastinate_jobs ORDER BY id"
        )
    ]


def _history(url: str) -> list[tuple[str, str, str, str]]:
    return [
        tuple(r)
        for r in sql(
            url, "SELECT project, version, target, status FROM probe_runs ORDER BY project, version"
        )
    ]


def _job_ids_in(log: str) -> list[int]:
    return [
        int(m) for m in re.findall(r"fttrack\.worker job (\d+) [^:]+: \S+ in [\d.]+s \(try", log)
    ]


def test_three_workers_drain_the_queue_each_job_once(pg_url: str, workers: Workers) -> None:
    releases = [("ftgood", "1.0"), ("ftbad", "1.0")] + [
        ("ftpure", v) for v in ("1.0", "1.1", "1.2", "1.3")
    ]
    _enqueue(pg_url, *releases)
    processes = [workers.start("--burst") for _ in range(3)]
    for process in processes:
        assert process.wait(timeout=120) == 0, workers.log_of(process)
    jobs = _jobs(pg_url)
    assert [(status, attempts) for _id, status, attempts, _p in jobs] == [
        ("succeeded", 1)
    ] * 6  # one try each
    assert _history(pg_url) == sorted(
        [("ftbad", "1.0", TARGET, "gil-reenabled"), ("ftgood", "1.0", TARGET, "ready")]
        + [("ftpure", v, TARGET, "ready") for v in ("1.0", "1.1", "1.2", "1.3")]
    )
    started = sql(pg_url, "SELECT count(*) FROM procrastinate_events WHERE type = 'started'")[0][0]
    assert started == 6  # no job ran twice
    per_worker = [_job_ids_in(workers.log_of(p)) for p in processes]
    done = [job for ids in per_worker for job in ids]
    assert sorted(done) == [job_id for job_id, *_ in jobs]  # each logged by exactly one worker
    assert sum(1 for ids in per_worker if ids) >= 2, per_worker  # the work was shared
    health = queue_health(pg_url)
    assert health["queues"][f"probe-{TARGET}"]["succeeded"] == 6
    assert health["throughput"]["finished_last_10_minutes"] == 6
    assert health["workers"] == []  # burst workers unregister on exit


def test_worker_killed_mid_probe_its_job_is_retried_elsewhere(
    pg_url: str, workers: Workers
) -> None:
    _enqueue(pg_url, ("ftsleepy", "1.0"))
    first = workers.start()
    wait_for(lambda: _jobs(pg_url)[0][1] == "doing", 60, "the first worker to take the job")
    time.sleep(2)  # into the install and the import
    workers.kill9(first)  # mid-probe: the import sleeps 6 s inside the sandbox
    assert _jobs(pg_url)[0][1] == "doing" and _history(pg_url) == []
    second = workers.start()
    wait_for(lambda: _jobs(pg_url)[0][1] == "succeeded", 90, "the job to be retried and finish")
    job_id, _status, attempts, _project = _jobs(pg_url)[0]
    assert attempts == 2  # the killed try and the one that finished
    assert _history(pg_url) == [("ftsleepy", "1.0", TARGET, "ready")]  # stored once
    assert _job_ids_in(workers.log_of(second)) == [job_id]
    assert "requeued (try 2 of 3)" in workers.log_of(second)
    # The dead worker may or may not still be listed: a starting worker prunes the workers
    # silent for longer than --stalled-after, and whether the second one started before or
    # after the first one's silence reached that is a race. What is certain: exactly one
    # worker is alive, and whatever else is listed is dead and runs nothing. (The dead one
    # has been silent for the stall delay plus the 6 s import; the live one beats every 0.5 s.)
    health = queue_health(pg_url, alive_seconds=5)
    alive = [w for w in health["workers"] if w["alive"]]
    dead = [w for w in health["workers"] if not w["alive"]]
    assert len(alive) == 1 and len(health["workers"]) in (1, 2), health["workers"]
    assert all(w["running_jobs"] == [] for w in dead), dead
    assert health["workers_alive"] == 1 and health["stalled_jobs"] == 0
    second.send_signal(signal.SIGTERM)  # clean shutdown
    assert second.wait(timeout=30) == 0
    assert all(not w["alive"] for w in queue_health(pg_url, alive_seconds=2)["workers"])


def test_job_that_keeps_killing_its_worker_is_given_up_and_recorded(
    pg_url: str, workers: Workers
) -> None:
    _enqueue(pg_url, ("ftforever", "1.0"))
    for attempt in range(3):
        worker = workers.start("--max-attempts", "3")

        def started(attempt: int = attempt) -> bool:
            return _jobs(pg_url)[0][1:3] == ("doing", attempt)

        wait_for(started, 60, f"try {attempt + 1} to start")
        workers.kill9(worker)
    last = workers.start("--max-attempts", "3")
    wait_for(lambda: _jobs(pg_url)[0][1] == "failed", 60, "the job to be given up")
    assert _history(pg_url) == [("ftforever", "1.0", TARGET, "crashed")]
    detail = sql(pg_url, "SELECT detail FROM probe_runs")[0][0]
    assert "died 3 times" in detail
    assert "given up and recorded as crashed" in workers.log_of(last)
    last.send_signal(signal.SIGTERM)
    assert last.wait(timeout=30) == 0


def test_retried_job_already_stored_is_not_probed_again(pg_url: str, workers: Workers) -> None:
    """A worker that died after storing its result but before marking the job done."""
    from tests.store.helpers import probe
    from tracker.store.engine import open_store

    _enqueue(pg_url, ("ftpure", "1.0"))
    store = open_store(pg_url, seed=False)
    try:
        stored = probe("ftpure", "1.0", TARGET, at=datetime.now(UTC) + timedelta(seconds=1))
        assert store.record_probe(stored)
    finally:
        store.close()
    worker = workers.start("--burst")
    assert worker.wait(timeout=60) == 0, workers.log_of(worker)
    assert _jobs(pg_url)[0][1] == "succeeded"
    assert len(_history(pg_url)) == 1
    assert "already probed since queued" in workers.log_of(worker)


def test_worker_never_seeds_the_tracker_database(pg_url: str, workers: Workers) -> None:
    """Seeding from the shipped snapshot is the server's job: a worker only runs probes."""
    from tracker.store.engine import open_store

    worker = workers.start("--burst")  # nothing queued: exits at once
    assert worker.wait(timeout=120) == 0, workers.log_of(worker)
    assert "seeding" not in workers.log_of(worker)
    store = open_store(pg_url, seed=False)
    try:
        assert store.project_count() == 0
    finally:
        store.close()
