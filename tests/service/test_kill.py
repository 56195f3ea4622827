"""kill -9 a crawl and a serve mid-run: the database stays consistent and work resumes."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from testkit.indexserver import Fault, IndexServer
from tests.service.conftest import ASSETS
from tests.service.helpers import FTTRACK, free_port, fttrack_env, start_serve

COPIES = 30


@pytest.fixture
def slow_index() -> Iterator[tuple[IndexServer, list[str], int, int]]:
    """Thirty copies of numpy's real page; every fifth one answers slowly."""
    page = json.loads((ASSETS / "numpy.json").read_text())
    names = [f"numpy-copy-{i:02d}" for i in range(COPIES)]
    with IndexServer() as server:
        for i, name in enumerate(names):
            server.add_recorded_document(dict(page, name=name), name)
            if i % 5 == 4:
                server.add_fault(f"/simple/{name}/", Fault("delay", seconds=2.0))
        versions = len(page["versions"])
        yield server, names, versions, len(page["files"])


def stored(db: Path) -> dict[str, tuple[int, int]]:
    """(releases, files) per stored project ({} while the schema is still being created)."""
    if not db.exists():
        return {}
    with sqlite3.connect(db, timeout=30) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if not {"projects", "releases", "files"} <= tables:
            return {}
        rows = conn.execute(
            "SELECT p.name, COUNT(DISTINCT r.id), COUNT(f.id) FROM projects p "
            "JOIN releases r ON r.project_id = p.id LEFT JOIN files f ON f.release_id = r.id "
            "GROUP BY p.name"
        ).fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    return {name: (releases, files) for name, releases, files in rows}


def wait_for(predicate: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def assert_complete(db: Path, versions: int, files: int) -> dict[str, tuple[int, int]]:
    """Every stored project is whole: no half-written page."""
    found = stored(db)
    for name, counts in found.items():
        assert counts == (versions, files), f"{name} is half-written: {counts}"
    return found


def test_kill_9_crawl_then_resume(
    slow_index: tuple[IndexServer, list[str], int, int], tmp_path: Path
) -> None:
    server, names, versions, files = slow_index
    db = tmp_path / "fttrack.db"
    env = fttrack_env(server.index_url, db)
    argv = [*FTTRACK, "crawl", *names, "--no-metadata", "--concurrency", "4"]
    crawl = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: len(stored(db)) >= 3, timeout=120)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=10)
    before = assert_complete(db, versions, files)
    assert 3 <= len(before) < COPIES
    rerun = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    after = assert_complete(db, versions, files)
    assert set(after) == set(names)
    assert f"{len(before)} unchanged" in rerun.stderr, "finished projects are not fetched again"


def test_kill_9_serve_then_restart(
    slow_index: tuple[IndexServer, list[str], int, int], tmp_path: Path
) -> None:
    server, names, versions, files = slow_index
    db = tmp_path / "fttrack.db"
    env = fttrack_env(server.index_url, db)
    watch = subprocess.run([*FTTRACK, "crawl", names[0], "--no-metadata"], env=env,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert watch.returncode == 0, watch.stderr
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO watchlist (project, reason, added_at) VALUES (?, 'manual', CURRENT_TIMESTAMP)",
            [(n,) for n in names[1:]],
        )
    port = free_port()
    serve = start_serve(env, port, "--probe-workers", "0", "--interval", "60")
    wait_for(lambda: len(stored(db)) >= 5, timeout=120)
    serve.send_signal(signal.SIGKILL)
    serve.wait(timeout=10)
    assert_complete(db, versions, files)

    serve = start_serve(env, port, "--probe-workers", "0", "--interval", "60")
    try:
        wait_for(lambda: len(stored(db)) == COPIES, timeout=180)
        assert_complete(db, versions, files)
        doc = httpx.get(f"http://127.0.0.1:{port}/api/v1/projects/{names[-1]}").json()
        assert len(doc["releases"]) == versions
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    with sqlite3.connect(db) as conn:
        jobs = conn.execute("SELECT id FROM apscheduler_jobs").fetchall()
    assert jobs == [("fttrack-crawl-watchlist",)], "a restart does not duplicate the schedule"
