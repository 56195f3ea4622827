"""One migration at a time: a file lock beside a SQLite database.

Two processes opening a new SQLite database at once both find no tables and
both try to create them; without a lock one fails "database is locked" (a
deferred transaction cannot wait for the write lock). :func:`sqlite_migration_lock`
holds an exclusive ``flock`` on ``<database>.migrate-lock`` while one process
migrates; the next one finds the tables at head and has nothing to do.
PostgreSQL uses an advisory lock in the migration's own transaction instead
(see :func:`tracker.store.engine.migrate`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.errors import StoreError

__all__ = ["lock_path", "sqlite_migration_lock"]

#: How long to wait for another process's migration before giving up.
WAIT_SECONDS = 300.0


def lock_path(database: str) -> Path | None:
    """The lock file of a SQLite database file (None for an in-memory database).

    >>> lock_path("/data/fttrack.db")
    PosixPath('/data/fttrack.db.migrate-lock')
    >>> lock_path(":memory:") is None
    True
    """
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        return None
    return Path(database).expanduser().with_name(Path(database).name + ".migrate-lock")


@contextmanager
def sqlite_migration_lock(database: str, *, wait_seconds: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the migration lock of ``database`` (a SQLite file path) for the ``with`` body.

    The lock is released by the kernel when the process dies, so a killed
    migration never leaves it held. Where ``fcntl`` does not exist (Windows)
    this lock is skipped; the migration's immediate transaction still serialises.
    """
    path = lock_path(database)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    if path is None:
        yield
        return
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the migration lock: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + wait_seconds
        delay = 0.01
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"{path}: another process has been migrating the database for "
                        f"{wait_seconds:g} s; try again when it is done"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
