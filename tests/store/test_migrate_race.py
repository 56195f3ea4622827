"""First opens of a new database by several processes at once: all succeed, one migrates."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.store.helpers import pg_schema_url
from tracker.errors import StoreError
from tracker.store.engine import current_revision, head_revision, make_engine, open_store
from tracker.store.migration_lock import lock_path, sqlite_migration_lock

PROCESSES = 4


def _open(url: str, snapshot: str, barrier: Any, results: Any) -> None:
    """In a child process: wait for the others, then open (and so create) the database."""
    os.environ["FTTRACK_SNAPSHOT"] = snapshot
    barrier.wait(timeout=60)
    try:
        open_store(url).close()
        results.put("ok")
    except Exception as exc:  # reported to the parent, which asserts on it
        results.put(f"{type(exc).__name__}: {exc}")


def _open_at_once(url: str, tmp_path: Path) -> list[str]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    snapshot = str(tmp_path / "no-snapshot.json.gz")
    processes = [
        context.Process(target=_open, args=(url, snapshot, barrier, results))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    return outcomes


@pytest.mark.parametrize("rounds", [3])
def test_processes_opening_a_new_sqlite_database_at_once_all_succeed(
    tmp_path: Path, rounds: int
) -> None:
    for round_ in range(rounds):
        path = tmp_path / f"new-{round_}.db"
        outcomes = _open_at_once(f"sqlite:///{path}", tmp_path)
        assert outcomes == ["ok"] * PROCESSES
        engine = make_engine(f"sqlite:///{path}")
        try:
            assert current_revision(engine) == head_revision()
        finally:
            engine.dispose()
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert lock_path(str(path)) == path.with_name(path.name + ".migrate-lock")


def test_processes_opening_a_new_postgres_schema_at_once_all_succeed(tmp_path: Path) -> None:
    with pg_schema_url() as url:
        assert _open_at_once(url, tmp_path) == ["ok"] * PROCESSES
        engine = make_engine(url)
        try:
            assert current_revision(engine) == head_revision()
        finally:
            engine.dispose()


def test_a_migration_that_waits_too_long_says_so_in_one_line(tmp_path: Path) -> None:
    database = str(tmp_path / "busy.db")
    with (
        sqlite_migration_lock(database),  # another migration holds the lock
        pytest.raises(StoreError, match="another process has been migrating") as caught,
        sqlite_migration_lock(database, wait_seconds=0.2),
    ):
        pass
    assert "\n" not in str(caught.value)
    with sqlite_migration_lock(database, wait_seconds=0.2):  # released: taken at once
        pass


def test_a_database_that_cannot_be_migrated_gives_no_sql(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # fttrack's version table, written by a future fttrack
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        db.execute("INSERT INTO alembic_version VALUES ('9999')")
    with pytest.raises(StoreError) as caught:
        open_store(f"sqlite:///{path}", seed=False)
    message = str(caught.value)
    assert message.startswith("cannot migrate the database: ")
    assert "\n" not in message and "[SQL" not in message and "SELECT" not in message


def test_a_first_read_told_locked_at_once_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race above can make the first read of a new SQLite file answer "database is
    locked" at once (another process is making it a WAL database): that is retried;
    any other error is reported at once, naming the database."""
    from sqlalchemy.exc import OperationalError

    from tracker.store import engine as engine_module

    real = engine_module.current_revision
    calls: list[int] = []

    def locked_once(engine: Any) -> str | None:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        return real(engine)

    monkeypatch.setattr(engine_module, "current_revision", locked_once)
    open_store(f"sqlite:///{tmp_path / 'new.db'}", seed=False).close()
    assert len(calls) == 2

    def broken(engine: Any) -> str | None:
        calls.append(1)
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    calls.clear()
    monkeypatch.setattr(engine_module, "current_revision", broken)
    with pytest.raises(StoreError, match=r"cannot open the database .*other.db: disk I/O error"):
        open_store(f"sqlite:///{tmp_path / 'other.db'}", seed=False)
    assert len(calls) == 1
