"""Scale-out probing: a PostgreSQL probe queue (procrastinate) and its workers.

``fttrack serve --db postgresql://...`` hands every probe job to
:class:`ProbeQueue`; ``fttrack worker`` processes on any number of machines
run them (:func:`run_worker`); :func:`queue_health` reports on both. Nothing
here is used with SQLite, where probes run inside ``fttrack serve``.
Timing stays with the scheduler (:mod:`tracker.schedule`): the queue has no
periodic tasks.
"""

from __future__ import annotations

from tracker.queue.app import DEFAULT_MAX_ATTEMPTS, TASK_NAME, ProbeQueue, job_lock, queue_name
from tracker.queue.health import queue_health

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "TASK_NAME",
    "ProbeQueue",
    "job_lock",
    "queue_health",
    "queue_name",
]
