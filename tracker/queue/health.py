"""``queue_health``: what the PostgreSQL probe queue is doing (``fttrack status``, the API).

A long-lived caller (the API) passes its SQLAlchemy engine, whose pool it keeps
for its lifetime: each report borrows one pooled connection and gives it back.
A one-shot caller (``fttrack status --db URL``) passes the URL.

A worker is alive while its heartbeat is at most ``alive_seconds`` old and, for
an fttrack worker, while it holds its liveness lock (a session advisory lock it
takes once registered, listed in ``fttrack_worker_liveness``): PostgreSQL drops
that lock when the worker's connection goes, so a worker killed with SIGKILL,
on any host, shows as dead at once instead of 30 s later.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tracker.errors import StoreError
from tracker.queue.connection import (
    LIVENESS_KEY,
    LIVENESS_TABLE,
    conninfo,
    is_postgres_url,
    schema_installed,
)

if TYPE_CHECKING:
    import psycopg

__all__ = ["queue_health"]

#: A worker silent for longer than this counts as gone (the default ``--stalled-after``).
ALIVE_SECONDS = 30.0

_JOB_STATES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")


def _iso(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    return None


def queue_health(
    database: str | sa.Engine, *, alive_seconds: float = ALIVE_SECONDS
) -> dict[str, Any]:
    """Workers, jobs per queue and state, and throughput of the probe queue.

    ``database``: an engine (its pool lends the connection: no new connection
    per call) or a URL (one connection, closed afterwards). SQLite (or any
    non-PostgreSQL database) answers ``{"backend": "in-process"}``: probes then
    run inside ``fttrack serve``. A PostgreSQL database whose queue was never
    used answers with ``"installed": false``.
    """
    if isinstance(database, sa.Engine):
        if database.dialect.name != "postgresql":
            return {"backend": "in-process"}
    elif not is_postgres_url(database):
        return {"backend": "in-process"}
    import psycopg  # only for PostgreSQL (0.3 s to import)

    try:
        with _connect(database) as connection:
            if not schema_installed(connection):
                return {"backend": "postgres", "installed": False, "workers": [], "queues": {}}
            return _health(connection, alive_seconds)
    except (psycopg.Error, sa.exc.DBAPIError) as exc:
        text = str(getattr(exc, "orig", None) or exc).strip()
        message = text.splitlines()[0] if text else type(exc).__name__
        raise StoreError(f"cannot read the probe queue: {message}") from None


@contextlib.contextmanager
def _connect(database: str | sa.Engine) -> Iterator[psycopg.Connection[Any]]:
    """A psycopg connection: borrowed from an engine's pool, or a new one for a URL.

    A borrowed connection's transaction (read-only here) is rolled back when the
    pool takes it back.
    """
    import psycopg

    if isinstance(database, str):
        with psycopg.connect(conninfo(database), autocommit=True) as connection:
            yield connection
        return
    with database.connect() as pooled:
        driver = pooled.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        yield driver


def _lost_liveness(connection: psycopg.Connection[Any]) -> set[int]:
    """Workers that took their liveness lock and no longer hold it: dead, whatever their
    heartbeat's age (PostgreSQL drops a session's locks when its process dies)."""
    found = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (LIVENESS_TABLE,))
    row = found.fetchone()
    if not (row and row[0]):
        return set()
    rows = connection.execute(
        f"SELECT s.worker_id FROM {LIVENESS_TABLE} s WHERE NOT EXISTS ("
        "SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND l.classid::bigint = %s AND l.objid::bigint = s.worker_id %% 2147483648 "
        "AND l.objsubid = 2)",
        (LIVENESS_KEY,),
    ).fetchall()
    return {int(r[0]) for r in rows}


def _health(connection: psycopg.Connection[Any], alive_seconds: float) -> dict[str, Any]:
    from tracker.queue.app import QUEUE_PREFIX

    now = connection.execute("SELECT now()").fetchone()
    assert now is not None
    workers = []
    rows = connection.execute(
        "SELECT w.id, w.last_heartbeat, extract(epoch FROM now() - w.last_heartbeat), "
        "array_remove(array_agg(j.id ORDER BY j.id), NULL), "
        "array_remove(array_agg(DISTINCT j.queue_name), NULL) "
        "FROM procrastinate_workers w LEFT JOIN procrastinate_jobs j "
        "ON j.worker_id = w.id AND j.status = 'doing' GROUP BY w.id ORDER BY w.id"
    ).fetchall()
    gone = _lost_liveness(connection)
    for worker_id, heartbeat, age, running, worker_queues in rows:
        workers.append(
            {
                "id": worker_id,
                "last_seen": _iso(heartbeat),
                "seconds_since_heartbeat": round(float(age), 1),
                "alive": float(age) <= alive_seconds and worker_id not in gone,
                "running_jobs": list(running),
                "queues": sorted(worker_queues),
            }
        )
    queues: dict[str, dict[str, int]] = {}
    for queue, status, count in connection.execute(
        "SELECT queue_name, status::text, count(*) FROM procrastinate_jobs "
        "WHERE queue_name LIKE %s GROUP BY 1, 2 ORDER BY 1",
        (QUEUE_PREFIX + "%",),
    ).fetchall():
        queues.setdefault(queue, dict.fromkeys(_JOB_STATES, 0))[status] = int(count)
    finished = connection.execute(
        "SELECT count(*) FILTER (WHERE e.at > now() - interval '10 minutes'), "
        "count(*) FILTER (WHERE e.at > now() - interval '1 hour') "
        "FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id "
        "WHERE e.type IN ('succeeded', 'failed') AND e.at > now() - interval '1 hour' "
        "AND j.queue_name LIKE %s",
        (QUEUE_PREFIX + "%",),
    ).fetchone()
    last_10, last_hour = (int(finished[0]), int(finished[1])) if finished else (0, 0)
    stalled = connection.execute(
        "SELECT count(*) FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w "
        "ON w.id = j.worker_id WHERE j.status = 'doing' AND j.queue_name LIKE %s AND "
        "(w.id IS NULL OR w.last_heartbeat < now() - make_interval(secs => %s))",
        (QUEUE_PREFIX + "%", alive_seconds),
    ).fetchone()
    totals = dict.fromkeys(_JOB_STATES, 0)
    for counts in queues.values():
        for state, count in counts.items():
            totals[state] += count
    return {
        "backend": "postgres",
        "installed": True,
        "checked_at": _iso(now[0]),
        "workers": workers,
        "workers_alive": sum(1 for w in workers if w["alive"]),
        "queues": queues,
        "totals": totals,
        "stalled_jobs": int(stalled[0]) if stalled else 0,
        "throughput": {
            "finished_last_10_minutes": last_10,
            "finished_last_hour": last_hour,
            "per_minute_last_10_minutes": round(last_10 / 10, 2),
        },
    }
