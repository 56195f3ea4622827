"""The PostgreSQL side of the probe queue: connection strings and procrastinate's schema.

The queue lives in the tracker's own database, next to fttrack's tables, in
procrastinate's default tables (``procrastinate_jobs``, ``procrastinate_events``,
``procrastinate_workers``, ...) of the connection's current schema: whatever
``search_path`` names first (``public`` unless the URL says otherwise, e.g.
``?options=-csearch_path%3Dfttrack``).

>>> conninfo("postgresql+psycopg://u@h:5432/db?options=-csearch_path%3Dx")
'postgresql://u@h:5432/db?options=-csearch_path%3Dx'
>>> is_postgres_url("sqlite:///tmp/fttrack.db"), is_postgres_url("postgres://u@h/db")
(False, True)
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from tracker.errors import ConfigError, StoreError

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "LIVENESS_KEY",
    "LIVENESS_TABLE",
    "conninfo",
    "ensure_liveness_table",
    "ensure_schema",
    "is_postgres_url",
    "require_postgres",
    "schema_installed",
]

_PREFIXES = ("postgresql+psycopg://", "postgresql+psycopg2://", "postgresql://", "postgres://")
_SCHEMA_LOCK_KEY = 0x66747471  # "fttq": serialises concurrent installs of the queue schema
#: First key of the session advisory lock a live worker holds, the second being its id:
#: PostgreSQL drops it the moment the worker's connection goes (a killed process).
LIVENESS_KEY = 0x66747477  # "fttw"
#: The workers that hold that lock while alive (so a missing lock means a dead worker).
LIVENESS_TABLE = "fttrack_worker_liveness"
_installed: set[str] = set()
_installed_lock = threading.Lock()


def is_postgres_url(db_url: str) -> bool:
    """True for a PostgreSQL URL (any of the spellings fttrack accepts)."""
    return db_url.strip().startswith(_PREFIXES)


def conninfo(db_url: str) -> str:
    """The libpq connection string (a plain ``postgresql://`` URL) for ``db_url``."""
    text = db_url.strip()
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            return "postgresql://" + text[len(prefix) :]
    raise ConfigError(f"not a PostgreSQL URL: {db_url!r}")


def require_postgres(db_url: str, what: str) -> str:
    """The connection string, or a one-line :class:`ConfigError` naming ``what`` needs it."""
    if not is_postgres_url(db_url):
        raise ConfigError(
            f"{what} needs PostgreSQL (--db postgresql://user@host/db); "
            f"SQLite runs probes in-process with 'fttrack serve'"
        )
    return conninfo(db_url)


def schema_installed(connection: psycopg.Connection[tuple[object, ...]]) -> bool:
    """True when procrastinate's tables are visible on this connection's search path."""
    row = connection.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()
    return bool(row and row[0])


def ensure_schema(db_url: str) -> None:
    """Install procrastinate's schema once (idempotent; concurrent callers wait on a lock)."""
    info = conninfo(db_url)
    with _installed_lock:
        if info in _installed:
            return
    import psycopg
    from procrastinate.schema import SchemaManager

    try:
        with psycopg.connect(info, autocommit=False) as connection:
            if not schema_installed(connection):
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))
                if not schema_installed(connection):
                    connection.execute(SchemaManager.get_schema().encode())
            connection.commit()
    except psycopg.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"cannot set up the probe queue: {message}") from None
    with _installed_lock:
        _installed.add(info)


def ensure_liveness_table(connection: psycopg.Connection[tuple[object, ...]]) -> None:
    """Create :data:`LIVENESS_TABLE` when missing (idempotent; commits on ``connection``)."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {LIVENESS_TABLE} ("
            "worker_id bigint PRIMARY KEY, since timestamptz NOT NULL DEFAULT now())"
        )
