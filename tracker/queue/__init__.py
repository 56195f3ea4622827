"""Scale-out probing: a PostgreSQL probe queue (procrastinate) and its workers.

``fttrack serve --db postgresql://...`` hands every probe job to
:class:`ProbeQueue`; ``fttrack worker`` processes on any number of machines
run them (:func:`run_worker`); :func:`queue_health` reports on both. Nothing
here is used with SQLite, where probes run inside ``fttrack serve``.
Timing stays with the scheduler (:mod:`tracker.schedule`): the queue has no
periodic tasks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.queue.app import (
        DEFAULT_MAX_ATTEMPTS,
        TASK_NAME,
        ProbeQueue,
        job_lock,
        queue_name,
    )
    from tracker.queue.health import queue_health

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "TASK_NAME",
    "ProbeQueue",
    "job_lock",
    "queue_health",
    "queue_name",
]

#: Where each name lives: imported on first use, so that asking about a SQLite
#: database (``fttrack status --db sqlite:///...``) never loads procrastinate
#: and psycopg (0.3 s).
_HOMES = {
    "DEFAULT_MAX_ATTEMPTS": "app",
    "TASK_NAME": "app",
    "ProbeQueue": "app",
    "job_lock": "app",
    "queue_name": "app",
    "queue_health": "health",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"tracker.queue.{home}"), name)
