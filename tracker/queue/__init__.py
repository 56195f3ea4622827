"""Scale-out probing: a PostgreSQL probe queue (procrastinate) and its workers.

``fttrack serve --db postgresql://...`` hands every probe job to
:class:`~tracker.queue.app.ProbeQueue`; ``fttrack worker`` processes on any
number of machines run them (:func:`~tracker.queue.worker.run_worker`);
:func:`~tracker.queue.health.queue_health` reports on both. Nothing here is
used with SQLite, where probes run inside ``fttrack serve``.
Timing stays with the scheduler (:mod:`tracker.schedule`): the queue has no
periodic tasks.

Import from the modules: :mod:`tracker.queue.app` (the queue, its task names and
locks: loads procrastinate and psycopg), :mod:`tracker.queue.health` (which
does not, so that asking about a SQLite database never loads them).
"""
