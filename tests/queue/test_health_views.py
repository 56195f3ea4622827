"""Where queue health shows: the API route, ``fttrack status --db``, and the worker's refusals."""

from __future__ import annotations

import json
import os
import subprocess
import warnings
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from tests.queue.conftest import FTTRACK
from tracker.api import create_app
from tracker.errors import StoreError
from tracker.models import ProbeJob
from tracker.pythons.discover import Interpreter
from tracker.queue.app import ProbeQueue
from tracker.queue.health import queue_health
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


def test_api_queue_route_reuses_pooled_connections(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each request borrows a connection of the app's pool instead of opening a new one."""
    with ProbeQueue(pg_url) as queue:
        queue.enqueue(ProbeJob("ftgood", "1.0", "3.14t"))
    opened: list[object] = []
    real_connect = psycopg.connect

    def counting_connect(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        return real_connect(*args, **kwargs)

    store = open_store(pg_url, seed=False)
    try:
        with TestClient(create_app(store)) as client:
            assert client.get("/api/v1/queue").status_code == 200  # may fill the pool
            monkeypatch.setattr(psycopg, "connect", counting_connect)
            answers = [client.get("/api/v1/queue") for _ in range(10)]
            monkeypatch.undo()
        checked_out = store.engine.pool.checkedout()  # type: ignore[attr-defined]
    finally:
        store.close()
    assert [a.status_code for a in answers] == [200] * 10
    assert all(a.json()["queues"]["probe-3.14t"]["todo"] == 1 for a in answers)
    assert opened == []  # no database connection opened per request
    assert checked_out == 0  # every borrowed connection went back to the pool


def test_queue_health_through_a_broken_database_is_one_line(pg_url: str) -> None:
    store = open_store(pg_url, seed=False)
    try:
        bad = sa.create_engine(store.engine.url.set(port=1), pool_pre_ping=True)
        with pytest.raises(StoreError, match=r"^cannot read the probe queue: ") as caught:
            queue_health(bad)
        assert "\n" not in str(caught.value)
        bad.dispose()
        assert queue_health(store.engine)["installed"] is True
    finally:
        store.close()


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


def test_worker_refuses_a_target_it_cannot_probe(
    pg_url: str, interpreter: Interpreter, tmp_path: Path
) -> None:
    # A machine whose only interpreter is 3.14t (whatever else this one has installed).
    env = dict(os.environ, FTTRACK_PYTHONS=str(interpreter.path),
               FTTRACK_CACHE_DIR=str(tmp_path / "cache"))  # fmt: skip
    done = subprocess.run(
        [str(FTTRACK), "worker", "--db", pg_url, "--target", "3.15t"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert done.returncode == 2
    assert "no free-threaded interpreter here for 3.15t" in done.stderr


def test_status_on_sqlite_reports_in_process_without_loading_the_queue(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_store(url, seed=False).close()
    script = (
        "import sys, json, contextlib, io\n"
        "from tracker.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
        f"    main(['status', '--db', {url!r}, '--json'])\n"
        "print(json.dumps([json.loads(out.getvalue())['queue'],"
        " sorted(m for m in ('psycopg', 'procrastinate') if m in sys.modules)]))\n"
    )
    done = subprocess.run(
        [str(Path(str(FTTRACK)).with_name("python")), "-c", script],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"backend": "in-process"}, []]
