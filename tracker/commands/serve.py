"""``fttrack serve``: the tracker service (scheduled crawls, probes, JSON API)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import click

__all__ = ["serve"]


@click.command("serve")
@click.option(
    "--db",
    "db_url",
    envvar="FTTRACK_DB",
    help="Database URL (default: SQLite in the user data dir; env FTTRACK_DB).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--interval", type=float, help="Minutes between crawls of the watch list (default 60)."
)
@click.option(
    "--probe-workers",
    default=1,
    show_default=True,
    type=int,
    help="Probes run at once in this process (0: never probe here).",
)
@click.option(
    "--stress-workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=0),
    help="Stress jobs (a release's own tests in threads) run at once in this process, "
    "after the probes (0: never here).",
)
@click.option(
    "--seed-top",
    default=2000,
    show_default=True,
    type=click.IntRange(min=0),
    help="On an empty watch list, watch this many of the most downloaded projects (0: none).",
)
@click.option("--no-crawl", is_flag=True, help="Serve the API only: no scheduled crawls.")
@click.option(
    "--queue",
    type=click.Choice(["auto", "in-process", "postgres"]),
    default="auto",
    show_default=True,
    help="Where probe jobs go: 'postgres' hands them to 'fttrack worker' processes "
    "(needs a PostgreSQL --db); 'auto' picks postgres for a PostgreSQL database.",
)
def serve(
    db_url: str | None,
    host: str,
    port: int,
    interval: float | None,
    probe_workers: int,
    stress_workers: int,
    seed_top: int,
    no_crawl: bool,
    queue: str,
) -> None:
    """Run the tracker: crawl the watch list on a schedule, probe new releases, serve the API.

    A new database is seeded from the snapshot shipped in data/ in the background;
    the API answers from the snapshot meanwhile, a second or two after start.
    Routes: /api/v1/projects/{name}, /api/v1/projects/{name}/{version},
    /api/v1/projects?status=&target=&q=, /api/v1/feed.json, /badges/{name}.json
    and .svg, /openapi.json. SIGTERM or Ctrl-C stops it cleanly: finished probe
    results are already stored; running ones get a grace period.

    \b
    Examples:
      fttrack serve
      fttrack serve --db postgresql://fttrack@db/fttrack --host 0.0.0.0 --port 8000
      FTTRACK_API_TOKEN=secret fttrack serve --interval 30 --probe-workers 2
    """
    import dataclasses

    import uvicorn

    from tracker.api.app import create_app, seed_in_background
    from tracker.api.guard import KEEP_ALIVE_SECONDS, protocol_class
    from tracker.api.hooks import probe_hook
    from tracker.api.seeding import Seeding
    from tracker.config import load_settings
    from tracker.datafiles import snapshot_path
    from tracker.probe.leftovers import remove_leftovers
    from tracker.pythons.discover import find_interpreters
    from tracker.redact import redact_record
    from tracker.schedule import request_crawl, start_scheduler
    from tracker.service import TrackerService
    from tracker.store.engine import open_store

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:  # no credentials, no control characters
        handler.addFilter(redact_record)
    for noisy in ("httpx", "alembic"):  # a line per index request or migration step is noise
        logging.getLogger(noisy).setLevel(logging.WARNING)
    log = logging.getLogger("fttrack.serve")
    settings = load_settings()
    if db_url:
        settings = dataclasses.replace(settings, db_url=db_url)
    store = open_store(settings.db_url, seed=False)  # a database it cannot open: one line
    remove_leftovers()  # the directories and cgroups of probes whose process died
    targets = sorted({i.target.name for i in find_interpreters(settings)})
    enqueue = enqueue_stress = None
    if queue == "postgres" or (queue == "auto" and store.dialect == "postgresql"):
        from tracker.queue import ProbeQueue

        probe_queue = ProbeQueue(settings.db_url)
        enqueue, enqueue_stress = probe_queue.enqueue, probe_queue.enqueue_stress
    tracker = TrackerService(
        store, settings, targets=targets, probe_workers=probe_workers, enqueue=enqueue,
        stress_workers=stress_workers if probe_workers > 0 else 0, enqueue_stress=enqueue_stress,
    )  # fmt: skip
    schedulers: list[Any] = []
    every = interval or settings.crawl_interval_minutes

    def on_crawl(names: list[str] | None) -> dict[str, str]:
        if no_crawl:
            raise RuntimeError("crawls are disabled (--no-crawl)")
        if not schedulers:
            raise RuntimeError("the database is still being seeded: try again in a minute")
        return {"job": request_crawl(schedulers[0], names)}

    # says what really happened: queued, nothing to queue, or nothing here can probe
    on_probe = probe_hook(tracker, store, workers=probe_workers > 0 or enqueue is not None)

    seeding = Seeding()
    snapshot = snapshot_path()
    if store.project_count() == 0 and snapshot.is_file():
        seeding.begin(0)  # before the first request: writes from now on wait for the seed
    app = create_app(
        store,
        on_crawl=on_crawl,
        on_probe=on_probe,
        api_token=settings.api_token,
        seeding=seeding,
    )

    def start_work() -> None:
        """Seed an empty database in a separate process (serving from the snapshot
        meanwhile), then the schedule, then the writes that waited for the seed."""
        try:
            if seeding.active:
                seed_in_background(app.state.fttrack.cache, store, snapshot, seeding=seeding)
                if seeding.stopping:  # the server is stopping: nothing more to start
                    return
            seeded = tracker.seed_watchlist(seed_top) if seed_top > 0 else []
            if seeded:
                log.info("watch list seeded with %d projects", len(seeded))
            if no_crawl:
                log.info("crawls disabled (--no-crawl): serving what the database holds")
                return
            watched = len(store.watchlist())
            probing = ", ".join(targets) or "no target (no interpreter)"
            log.info("crawling %d watched projects every %g min, probing on %s",
                     watched, every, probing)  # fmt: skip
            schedulers.append(start_scheduler(tracker, interval_minutes=every))
        finally:
            seeding.finish()

    starter = threading.Thread(target=start_work, name="fttrack-start", daemon=True)
    starter.start()

    def stop() -> None:
        seeding.stop()
        for scheduler in schedulers:
            scheduler.shutdown(wait=False)
        tracker.shutdown()
        store.close()
        logging.getLogger("fttrack.serve").info("stopped cleanly")

    _run_after_shutdown(app, stop)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        http=protocol_class(),  # a request head must arrive within 10 s
        timeout_keep_alive=int(KEEP_ALIVE_SECONDS),  # idle connections closed after 5 s
    )
    uvicorn.Server(config).run()


def _run_after_shutdown(app: Any, cleanup: Callable[[], None]) -> None:
    """Run ``cleanup`` when the app's lifespan ends (uvicorn's graceful stop on SIGTERM),
    before uvicorn re-raises the signal."""
    original = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(instance: Any) -> AsyncIterator[None]:
        async with original(instance):
            yield
        await asyncio.to_thread(cleanup)

    app.router.lifespan_context = lifespan
