"""Run a probe worker: procrastinate's worker loop plus the stalled-job recovery loop.

A worker runs import probes and, below them on the same queues, stress jobs (a
release's own tests in threads): at most ``stress_concurrency`` of those at once
(one by default), whatever its ``concurrency``. Asked to stop (SIGTERM, Ctrl-C),
it lets running probes finish but cuts running stress jobs short: their sandboxed
processes are killed and the jobs fail their try, to be retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procrastinate.worker import Worker

from tracker.config import Settings
from tracker.probe import Limits
from tracker.probe.cancel import Cancel
from tracker.queue.app import DEFAULT_MAX_ATTEMPTS, make_app, queue_name
from tracker.queue.connection import (
    LIVENESS_KEY,
    LIVENESS_TABLE,
    conninfo,
    ensure_liveness_table,
)
from tracker.queue.tasks import recover_stalled, register_probe_task, register_stress_task
from tracker.store.engine import Store

if TYPE_CHECKING:
    import psycopg

__all__ = ["WorkerOptions", "run_worker"]

log = logging.getLogger("fttrack.worker")


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker runs.

    ``heartbeat``: seconds between heartbeats; ``stalled_after``: a worker
    silent this long is dead and its jobs are requeued; ``burst``: exit once
    the queues are empty instead of waiting for more; ``stress_concurrency``:
    stress jobs run at once (a further one waits for a slot).
    """

    targets: tuple[str, ...]
    concurrency: int = 1
    stress_concurrency: int = 1
    heartbeat: float = 10.0
    stalled_after: float = 30.0
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    burst: bool = False
    poll_seconds: float = 5.0
    sandbox_level: str | None = None
    limits: Limits | None = None

    @property
    def queues(self) -> list[str]:
        """The queues this worker listens on."""
        return [queue_name(t) for t in self.targets]


async def _recovery_loop(
    worker_app: object, store: Store, options: WorkerOptions, period: float
) -> None:
    from procrastinate import App

    assert isinstance(worker_app, App)
    while True:
        try:
            await recover_stalled(
                worker_app,
                store,
                options.queues,
                stalled_after=options.stalled_after,
                max_attempts=options.max_attempts,
            )
        except Exception:  # the database may be away for a moment: try again later
            log.exception("stalled-job recovery failed; retrying in %.0fs", period)
        await asyncio.sleep(period)


def _take_liveness(db_url: str, worker_id: int) -> psycopg.Connection[tuple[object, ...]]:
    """A connection holding this worker's liveness lock, the worker listed as holding it."""
    import psycopg

    connection = psycopg.connect(conninfo(db_url), autocommit=True)
    try:
        ensure_liveness_table(connection)
        connection.execute(
            "SELECT pg_advisory_lock(%s, %s)", (LIVENESS_KEY, worker_id % 2**31)
        )  # lock first: whoever sees the row sees the lock, until the process dies
        connection.execute(
            f"INSERT INTO {LIVENESS_TABLE} (worker_id) VALUES (%s) ON CONFLICT DO NOTHING",
            (worker_id,),
        )
    except BaseException:
        connection.close()
        raise
    return connection


def _drop_liveness(connection: psycopg.Connection[tuple[object, ...]], worker_id: int) -> None:
    with contextlib.suppress(Exception), connection:
        connection.execute(f"DELETE FROM {LIVENESS_TABLE} WHERE worker_id = %s", (worker_id,))


async def _hold_liveness(worker: Worker, db_url: str) -> None:
    """Hold the liveness lock of ``worker`` (once registered) until cancelled, so that
    ``/api/v1/queue`` sees a killed worker as dead at once, not after its heartbeat ages."""
    while worker.worker_id is None:
        await asyncio.sleep(0.05)
    worker_id = int(worker.worker_id)
    try:
        connection = await asyncio.to_thread(_take_liveness, db_url, worker_id)
    except Exception as exc:  # the heartbeat still tells: only slower
        log.warning("worker %d: liveness lock not taken: %s", worker_id, exc)
        return
    try:
        await asyncio.Event().wait()
    finally:
        await asyncio.to_thread(_drop_liveness, connection, worker_id)


class _Worker(Worker):
    """procrastinate's worker, which also cuts the running stress jobs short when it is
    asked to stop (its signal handlers call :meth:`stop`): a stress run can take its
    whole budget (10 minutes), a probe is waited for."""

    def __init__(self, *args: Any, stress_cancel: Cancel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stress_cancel = stress_cancel

    def stop(self) -> None:
        """Stop taking jobs, and stop the running stress jobs."""
        if not self.stress_cancel.cancelled:
            log.info("stopping: running stress jobs are cut short and retried later")
        self.stress_cancel.cancel()
        super().stop()  # type: ignore[no-untyped-call]


async def _run(db_url: str, store: Store, settings: Settings, options: WorkerOptions) -> None:
    app = make_app(db_url, asynchronous=True)
    stress_cancel = Cancel()
    register_probe_task(
        app,
        store,
        settings,
        max_attempts=options.max_attempts,
        sandbox_level=options.sandbox_level,
        limits=options.limits,
    )
    register_stress_task(
        app,
        store,
        settings,
        max_attempts=options.max_attempts,
        slots=threading.BoundedSemaphore(max(1, options.stress_concurrency)),
        sandbox_level=options.sandbox_level,
        cancel=stress_cancel,
    )
    period = max(0.5, min(options.stalled_after / 3, 10.0))
    async with app.open_async():
        await recover_stalled(
            app,
            store,
            options.queues,
            stalled_after=options.stalled_after,
            max_attempts=options.max_attempts,
        )
        worker = _Worker(
            app,
            stress_cancel=stress_cancel,
            queues=options.queues,
            name=f"{socket.gethostname()}-{os.getpid()}",
            concurrency=options.concurrency,
            wait=not options.burst,
            fetch_job_polling_interval=options.poll_seconds,
            update_heartbeat_interval=options.heartbeat,
            stalled_worker_timeout=options.stalled_after,
            shutdown_graceful_timeout=None,  # finish running probes (bounded by probe limits)
            install_signal_handlers=True,
        )
        recovery = asyncio.create_task(_recovery_loop(app, store, options, period))
        liveness = asyncio.create_task(_hold_liveness(worker, db_url))
        try:
            await worker.run()  # type: ignore[no-untyped-call]
        finally:
            for task in (recovery, liveness):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def run_worker(db_url: str, store: Store, settings: Settings, options: WorkerOptions) -> None:
    """Run jobs from ``options.queues`` until SIGTERM/SIGINT (or, in burst mode, until empty).

    The first SIGTERM stops taking jobs, lets running probes finish (they are
    bounded by the probe limits) and cuts running stress jobs short (retried
    later); a second one exits at once, and the unfinished jobs are requeued by
    the other workers' stalled-job recovery.
    """
    log.info(
        "worker on %s, concurrency %d, heartbeat %.0fs, stalled after %.0fs, %d tries per job",
        ", ".join(options.queues), options.concurrency, options.heartbeat,
        options.stalled_after, options.max_attempts,
    )  # fmt: skip
    asyncio.run(_run(db_url, store, settings, options))
