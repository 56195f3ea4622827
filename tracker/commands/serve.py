"""``fttrack serve``: the tracker service (scheduled crawls, probes, JSON API)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
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
    seed_top: int,
    no_crawl: bool,
    queue: str,
) -> None:
    """Run the tracker: crawl the watch list on a schedule, probe new releases, serve the API.

    A new database starts from the snapshot shipped in data/, so the API answers
    at once. Routes: /api/v1/projects/{name}, /api/v1/projects/{name}/{version},
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

    from tracker.api.app import create_app
    from tracker.api.hooks import probe_hook
    from tracker.config import load_settings
    from tracker.pythons.discover import find_interpreters
    from tracker.schedule import request_crawl, start_scheduler
    from tracker.service import Tracker
    from tracker.store.engine import open_store

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = load_settings()
    if db_url:
        settings = dataclasses.replace(settings, db_url=db_url)
    store = open_store(settings.db_url)
    targets = sorted({i.target.name for i in find_interpreters(settings)})
    enqueue = None
    if queue == "postgres" or (queue == "auto" and store.dialect == "postgresql"):
        from tracker.queue import ProbeQueue

        enqueue = ProbeQueue(settings.db_url).enqueue
    tracker = Tracker(
        store, settings, targets=targets, probe_workers=probe_workers, enqueue=enqueue
    )
    seeded = tracker.seed_watchlist(seed_top) if seed_top > 0 else []
    if seeded:
        logging.getLogger("fttrack.serve").info("watch list seeded with %d projects", len(seeded))
    scheduler = None
    if not no_crawl:
        scheduler = start_scheduler(
            tracker, interval_minutes=interval or settings.crawl_interval_minutes
        )

    def on_crawl(names: list[str] | None) -> dict[str, str]:
        if scheduler is None:
            raise RuntimeError("crawls are disabled (--no-crawl)")
        return {"job": request_crawl(scheduler, names)}

    # says what really happened: queued, nothing to queue, or nothing here can probe
    on_probe = probe_hook(tracker, store, workers=probe_workers > 0 or enqueue is not None)

    app = create_app(store, on_crawl=on_crawl, on_probe=on_probe, api_token=settings.api_token)

    def stop() -> None:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        tracker.shutdown()
        store.close()
        logging.getLogger("fttrack.serve").info("stopped cleanly")

    _run_after_shutdown(app, stop)
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info")).run()


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
