"""Where queue health shows: the API route, ``fttrack status --db``, and the worker's refusals."""

from __future__ import annotations

import json
import subprocess
import warnings
from pathlib import Path

from tests.queue.conftest import FTTRACK
from tracker.api import create_app
from tracker.crawl import ProbeJob
from tracker.queue import ProbeQueue
from tracker.store.engine import open_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_api_queue_route_on_postgres(pg_url: str) -> None:
    with ProbeQueue(pg_url) as queue:
        queue.enqueue(ProbeJob("ftgood", "1.0", "3.14t"))
    store = open_store(pg_url, seed=False)
    try:
        with TestClient(create_app(store)) as client:
            answer = client.get("/api/v1/queue")
    finally:
        store.close()
    assert answer.status_code == 200
    body = answer.json()
    assert body["backend"] == "postgres"
    assert body["queues"]["probe-3.14t"]["todo"] == 1
    assert body["totals"]["todo"] == 1 and body["stalled_jobs"] == 0


def test_api_queue_route_on_sqlite(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}", seed=False)
    try:
        with TestClient(create_app(store)) as client:
            assert client.get("/api/v1/queue").json() == {"backend": "in-process"}
    finally:
        store.close()


def test_status_command_reports_the_queue(pg_url: str) -> None:
    with ProbeQueue(pg_url) as queue:
        queue.enqueue(ProbeJob("ftpure", "1.0", "3.14t"))
    done = subprocess.run(
        [str(FTTRACK), "status", "--db", pg_url, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["queue"]["queues"]["probe-3.14t"]["todo"] == 1


def test_worker_refuses_sqlite_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(FTTRACK), "worker", "--db", f"sqlite:///{tmp_path / 'x.db'}"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "the worker needs PostgreSQL" in done.stderr


def test_worker_refuses_a_target_it_cannot_probe(pg_url: str) -> None:
    done = subprocess.run(
        [str(FTTRACK), "worker", "--db", pg_url, "--target", "3.15t"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "no free-threaded interpreter here for 3.15t" in done.stderr
