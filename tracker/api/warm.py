"""Warming what the routes answer from, once the database is ready: the one place that
knows what a server reads into memory before its first request asks.

On a seeded database the first request of a kind used to pay for reading every
project's row: 0.15 to 0.28 s for the first badge or summary (the summaries), 0.2
to 0.6 s for the first ``/api/v1/changes`` or ``/changes.atom`` (every project's
stored changes). :func:`warm` reads both ahead, in a background thread of the
server (:meth:`tracker.server.Server.start`), after a seed (never during it: the
seed keeps the machine) or at start when the database is already seeded, with the
cyclic collector paused and what it read frozen (:mod:`tracker.collector`): 0.2 to
0.4 s for 5,000 projects on a loaded 2-core machine (docs/benchmarks.md).

A request that comes while this runs is answered as before: each cache is read
under its own lock, so the request waits for the warm-up's read (or makes it
itself) and never sees half of an index.
"""

from __future__ import annotations

import logging
import time

from tracker.api.changes import changes_cache
from tracker.api.state import AppState
from tracker.collector import paused_collector

__all__ = ["warm"]

log = logging.getLogger("fttrack.serve")


def warm(state: AppState) -> None:
    """Read every summary (badges, the summary feed, the project list) and every
    project's stored changes (the changes feed, JSON and Atom) into the app's caches,
    and log one line saying so. Blocks: call it from a background thread."""
    began = time.monotonic()
    # Tens of thousands of objects and no cycle, kept as long as the server runs: the
    # collections their allocation triggers only walk them (half the warm-up's time),
    # and the full one they make due next would hold the interpreter's lock for 0.1 to
    # 0.25 s in whichever request allocates then. Frozen, no collection walks them.
    with paused_collector(freeze=True):
        state.cache.refresh()  # already current right after a seed (Seeding.run read them)
        summaries = len(state.cache.summaries())
        # forced: a request during the seed may have read the (then empty) store < 1 s ago
        changes = len(changes_cache(state).index(force=True).changes)
    log.info(
        "warmed in %.2f s: %d summaries, %d changes in memory",
        time.monotonic() - began,
        summaries,
        changes,
    )
