"""The procrastinate app of the probe queue, and the producer side (:class:`ProbeQueue`).

One task, ``fttrack.probe_release(project, version, target)``, on one queue per
target (``probe-3.14t``), so a worker listens only to the targets whose
interpreter it has. Every job carries a *queueing lock* and a *lock* named
after its (release, target): while a job waits or runs, deferring the same
release again is a no-op, and two jobs of the same release never run at once.

The producer needs no task code: it defers by task name, so ``fttrack serve``
and the workers share only these names.

Stress jobs, ``fttrack.stress_release(project, version, target)`` (a release's
own tests in threads, docs/stress.md), go on the same queue with a lower
priority (:data:`STRESS_PRIORITY`): a worker takes every waiting import probe
first. Their locks are named apart (``stress:...``), so a stress job and a
probe of the same release never block each other.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from procrastinate import App, PsycopgConnector, SyncPsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued

from tracker.models import ProbeJob
from tracker.queue.connection import ensure_schema, require_postgres

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "QUEUE_PREFIX",
    "STRESS_PRIORITY",
    "STRESS_TASK_NAME",
    "TASK_NAME",
    "ProbeQueue",
    "job_lock",
    "make_app",
    "queue_name",
    "stress_lock",
]

log = logging.getLogger("fttrack.queue")

TASK_NAME = "fttrack.probe_release"
QUEUE_PREFIX = "probe-"
STRESS_TASK_NAME = "fttrack.stress_release"
#: Below the probes' (procrastinate's default, 0): a worker runs waiting probes first.
STRESS_PRIORITY = -10
#: Tries per job, counting runs whose worker died (then the job is given up and recorded).
DEFAULT_MAX_ATTEMPTS = 3


def queue_name(target: str) -> str:
    """The queue of a target's probe jobs.

    >>> queue_name("3.14t")
    'probe-3.14t'
    """
    return f"{QUEUE_PREFIX}{target}"


def job_lock(project: str, version: str, target: str) -> str:
    """The queueing lock and lock of a (release, target).

    >>> job_lock("numpy", "2.5.5", "3.14t")
    'probe:numpy==2.5.5@3.14t'
    """
    return f"probe:{project}=={version}@{target}"


def stress_lock(project: str, version: str, target: str) -> str:
    """The queueing lock and lock of a stress job of (release, target).

    >>> stress_lock("numpy", "2.5.5", "3.14t")
    'stress:numpy==2.5.5@3.14t'
    """
    return f"stress:{project}=={version}@{target}"


def make_app(db_url: str, *, asynchronous: bool) -> App:
    """A procrastinate app over the tracker's PostgreSQL database (schema installed on first use).

    ``asynchronous``: a pooled async connector (workers) or a sync one (producers).
    """
    info = require_postgres(db_url, "the probe queue")
    ensure_schema(db_url)
    connector: PsycopgConnector | SyncPsycopgConnector
    if asynchronous:
        connector = PsycopgConnector(conninfo=info, min_size=1, max_size=4)
    else:
        connector = SyncPsycopgConnector(conninfo=info, min_size=1, max_size=2)
    return App(connector=connector)


class ProbeQueue:
    """Hand probe jobs to ``fttrack worker`` processes through PostgreSQL.

    ``enqueue`` is the :class:`~tracker.service.TrackerService`'s ``enqueue`` hook: it
    defers one job per (release, target) and ignores releases already waiting.
    Thread-safe; the connection pool opens on first use.
    """

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self._app = make_app(db_url, asynchronous=False)
        self._lock = threading.Lock()
        self._open = False

    def _ensure_open(self) -> App:
        with self._lock:
            if not self._open:
                self._app.open()
                self._open = True
        return self._app

    def enqueue(self, job: ProbeJob) -> bool:
        """Queue ``job``; False (and no error) when the same release+target is already
        queued or being probed (also by a worker that died: recovery puts that job back).

        A second job beside a running one could not start before it ends, and
        would block putting it back should its worker die.
        """
        lock = job_lock(job.project, job.version, job.target)
        app = self._ensure_open()
        if _running(app, lock):
            log.debug("already running: %s", lock)
            return False
        deferrer = app.configure_task(
            TASK_NAME, queue=queue_name(job.target), lock=lock, queueing_lock=lock
        )
        try:
            job_id = deferrer.defer(project=job.project, version=job.version, target=job.target)
        except AlreadyEnqueued:
            log.debug("already queued: %s", lock)
            return False
        log.info("queued %s as job %s", lock, job_id)
        return True

    def enqueue_stress(self, job: ProbeJob) -> bool:
        """Queue a stress job of ``job``'s release on its target's queue, below the
        probes; False (and no error) when the same one is already queued or running."""
        lock = stress_lock(job.project, job.version, job.target)
        app = self._ensure_open()
        if _running(app, lock):
            return False
        deferrer = app.configure_task(
            STRESS_TASK_NAME,
            queue=queue_name(job.target),
            lock=lock,
            queueing_lock=lock,
            priority=STRESS_PRIORITY,
        )
        try:
            job_id = deferrer.defer(project=job.project, version=job.version, target=job.target)
        except AlreadyEnqueued:
            return False
        log.info("queued %s as job %s", lock, job_id)
        return True

    def close(self) -> None:
        """Release the connection pool."""
        with self._lock:
            if self._open:
                self._app.close()
                self._open = False

    def __enter__(self) -> ProbeQueue:
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()


def _running(app: App, lock: str) -> bool:
    """Whether a job holding ``lock`` is being run (``doing``) now."""
    row = app.connector.execute_query_one(
        "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs "
        "WHERE lock = %(lock)s AND status = 'doing') AS running",
        lock=lock,
    )
    return bool(row["running"])
