"""Producer side: one job per (release, target), however often a crawl sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.queue.conftest import sql
from tracker.config import load_settings
from tracker.errors import ConfigError
from tracker.models import ProbeJob
from tracker.queue.app import ProbeQueue, job_lock
from tracker.queue.connection import ensure_schema
from tracker.queue.health import queue_health
from tracker.service import TrackerService
from tracker.store.engine import open_store


def test_same_release_enqueued_twice_is_one_job(pg_url: str) -> None:
    with ProbeQueue(pg_url) as queue:
        assert queue.enqueue(ProbeJob("ftgood", "1.0", "3.14t")) is True
        assert queue.enqueue(ProbeJob("ftgood", "1.0", "3.14t")) is False
        assert queue.enqueue(ProbeJob("ftgood", "1.0", "3.13t")) is True  # another target
    rows = sql(
        pg_url, "SELECT queue_name, queueing_lock, lock, args FROM procrastinate_jobs ORDER BY id"
    )
    assert [(r[0], r[1]) for r in rows] == [
        ("probe-3.14t", job_lock("ftgood", "1.0", "3.14t")),
        ("probe-3.13t", job_lock("ftgood", "1.0", "3.13t")),
    ]
    assert rows[0][2] == rows[0][1]
    assert rows[0][3] == {"project": "ftgood", "version": "1.0", "target": "3.14t"}


def test_tracker_hands_repeated_crawls_to_the_queue_once(pg_url: str, tmp_path: Path) -> None:
    store = open_store(pg_url, seed=False)
    queue = ProbeQueue(pg_url)
    try:
        tracker = TrackerService(store, load_settings(), targets=["3.14t"], probe_workers=0,
                          enqueue=queue.enqueue)  # fmt: skip
        jobs = [ProbeJob("ftpure", v, "3.14t") for v in ("1.0", "1.1")]
        for _crawl in range(3):
            tracker.queue_probes(jobs)
    finally:
        queue.close()
        store.close()
    assert sql(pg_url, "SELECT count(*) FROM procrastinate_jobs")[0][0] == 2
    health = queue_health(pg_url)
    assert health["backend"] == "postgres"
    assert health["queues"]["probe-3.14t"]["todo"] == 2
    assert health["workers"] == [] and health["throughput"]["finished_last_hour"] == 0


def test_schema_install_is_idempotent(pg_url: str) -> None:
    ensure_schema(pg_url)
    from tracker.queue import connection

    connection._installed.clear()  # as a new process would
    ensure_schema(pg_url)
    assert sql(pg_url, "SELECT count(*) FROM procrastinate_jobs")[0][0] == 0


def test_sqlite_has_no_queue(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert queue_health(url) == {"backend": "in-process"}
    with pytest.raises(ConfigError, match="needs PostgreSQL"):
        ProbeQueue(url)
