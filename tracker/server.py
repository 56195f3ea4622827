"""The tracker service assembled: store, probe pool or queue, API app, crawl schedule.

``fttrack serve`` parses its options into :class:`ServeOptions`, calls
:func:`build_server` and runs the app under uvicorn; tests build the same
:class:`Server` and drive its app. A new database is seeded from the shipped
snapshot in a separate process while the API answers from the snapshot;
:meth:`Server.start` does that, reads the summaries and the changes into memory
once the database is ready (:mod:`tracker.api.warm`), then starts the schedule.
The app's lifespan ends with :meth:`Server.stop` (uvicorn's graceful stop on SIGTERM).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from tracker.api.app import create_app, seed_in_background
from tracker.api.errors import describe
from tracker.api.hooks import probe_hook
from tracker.api.seeding import Seeding
from tracker.api.warm import warm
from tracker.config import Settings
from tracker.datafiles import snapshot_path
from tracker.probe.leftovers import remove_leftovers
from tracker.pythons.discover import find_interpreters
from tracker.schedule import request_crawl, start_scheduler
from tracker.service import TrackerService
from tracker.store.engine import Store, open_store

__all__ = ["ServeOptions", "Server", "build_server"]

log = logging.getLogger("fttrack.serve")


@dataclass(frozen=True)
class ServeOptions:
    """How the service runs: the options of ``fttrack serve``, by their names there."""

    interval: float | None = None
    probe_workers: int = 1
    stress_workers: int = 1
    seed_top: int = 2000
    no_crawl: bool = False
    #: ``auto``, ``in-process`` or ``postgres``.
    queue: str = "auto"


@dataclass
class Server:
    """One assembled service: its store, its probe jobs' service and its API app."""

    store: Store
    tracker: TrackerService
    app: FastAPI
    options: ServeOptions
    every: float
    snapshot: Path
    seeding: Seeding
    schedulers: list[Any] = field(default_factory=list)

    def start(self) -> threading.Thread:
        """Seed an empty database, warm the API's caches, then start the schedule, in a
        thread of its own; ``GET /readyz`` says when that is done."""
        self.app.state.fttrack.ready.clear()
        starter = threading.Thread(target=self._start_work, name="fttrack-start", daemon=True)
        starter.start()
        return starter

    def _start_work(self) -> None:
        """Seed an empty database in a separate process (serving from the snapshot
        meanwhile), warm the API's caches from the database (:func:`~tracker.api.warm.warm`),
        then the schedule, then the writes that waited for the seed."""
        options, seeding = self.options, self.seeding
        try:
            if seeding.active:
                cache = self.app.state.fttrack.cache
                seed_in_background(cache, self.store, self.snapshot, seeding=seeding)
                if seeding.stopping:  # the server is stopping: nothing more to start
                    return
            if seeding.failed is None:  # a failed seed leaves the cache on the snapshot
                self._warm()
            self.app.state.fttrack.ready.set()
            seeded = self.tracker.seed_watchlist(options.seed_top) if options.seed_top > 0 else []
            if seeded:
                log.info("watch list seeded with %d projects", len(seeded))
            if options.no_crawl:
                log.info("crawls disabled (--no-crawl): serving what the database holds")
                return
            watched = len(self.store.watchlist())
            probing = ", ".join(self.tracker.targets) or "no target (no interpreter)"
            log.info("crawling %d watched projects every %g min, probing on %s",
                     watched, self.every, probing)  # fmt: skip
            self.schedulers.append(start_scheduler(self.tracker, interval_minutes=self.every))
        finally:
            seeding.finish()
            self.app.state.fttrack.ready.set()  # a stopping or failed start: nothing to wait for

    def _warm(self) -> None:
        """Read what the routes answer from into memory; a failure is logged in one line
        (the first requests then read it themselves)."""
        try:
            warm(self.app.state.fttrack)
        except Exception as exc:  # never stops the start: the schedule still starts
            log.warning("warming the caches failed: %s", describe(exc))

    def stop(self) -> None:
        """Stop the seed, the schedule and the probes; close the store."""
        self.seeding.stop()
        for scheduler in self.schedulers:
            scheduler.shutdown(wait=False)
        self.tracker.shutdown()
        self.store.close()
        log.info("stopped cleanly")


def build_server(
    settings: Settings,
    options: ServeOptions,
    *,
    targets: Sequence[str] | None = None,
    snapshot: Path | None = None,
) -> Server:
    """Open the store at ``settings.db_url`` and assemble the service over it.

    ``targets``: those probed here (default: every target with an interpreter on
    this machine); ``snapshot``: what seeds an empty database (default: the
    shipped one). The app's lifespan ends with :meth:`Server.stop`.
    """
    store = open_store(settings.db_url, seed=False)  # a database it cannot open: one line
    remove_leftovers()  # the directories and cgroups of probes whose process died
    if targets is None:
        targets = sorted({i.target.name for i in find_interpreters(settings)})
    enqueue = enqueue_stress = None
    if options.queue == "postgres" or (options.queue == "auto" and store.dialect == "postgresql"):
        from tracker.queue.app import ProbeQueue

        probe_queue = ProbeQueue(settings.db_url)
        enqueue, enqueue_stress = probe_queue.enqueue, probe_queue.enqueue_stress
    workers = options.probe_workers
    tracker = TrackerService(
        store, settings, targets=targets, probe_workers=workers, enqueue=enqueue,
        stress_workers=options.stress_workers if workers > 0 else 0, enqueue_stress=enqueue_stress,
    )  # fmt: skip
    seeding = Seeding()
    snapshot = snapshot or snapshot_path()
    if store.project_count() == 0 and snapshot.is_file():
        seeding.begin(0)  # before the first request: writes from now on wait for the seed
    schedulers: list[Any] = []
    app = create_app(
        store,
        on_crawl=functools.partial(_request_crawl, options, schedulers),
        # says what really happened: queued, nothing to queue, or nothing here can probe
        on_probe=probe_hook(tracker, store, workers=workers > 0 or enqueue is not None),
        api_token=settings.api_token,
        seeding=seeding,
    )
    every = options.interval or settings.crawl_interval_minutes
    server = Server(store, tracker, app, options, every, snapshot, seeding, schedulers)
    _run_after_shutdown(app, server.stop)
    return server


def _request_crawl(
    options: ServeOptions, schedulers: list[Any], names: list[str] | None
) -> dict[str, str]:
    """The API's crawl request, handed to the schedule (the first of ``schedulers``)."""
    if options.no_crawl:
        raise RuntimeError("crawls are disabled (--no-crawl)")
    if not schedulers:
        raise RuntimeError("the database is still being seeded: try again in a minute")
    return {"job": request_crawl(schedulers[0], names)}


def _run_after_shutdown(app: FastAPI, cleanup: Callable[[], None]) -> None:
    """Run ``cleanup`` when the app's lifespan ends (uvicorn's graceful stop on SIGTERM),
    before uvicorn re-raises the signal."""
    original = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(instance: Any) -> AsyncIterator[None]:
        async with original(instance):
            yield
        await asyncio.to_thread(cleanup)

    app.router.lifespan_context = lifespan
