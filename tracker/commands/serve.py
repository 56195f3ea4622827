"""``fttrack serve``: the tracker service (scheduled crawls, probes, JSON API)."""

from __future__ import annotations

import logging
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
def serve(db_url: str | None, host: str, port: int, **options: Any) -> None:
    """Run the tracker: crawl the watch list on a schedule, probe new releases, serve the API.

    A new database is seeded from the snapshot shipped in data/ in the background;
    the API answers from the snapshot meanwhile, a second or two after start.
    Routes: /api/v1/projects/{name}, /api/v1/projects/{name}/{version},
    /api/v1/projects?status=&target=&q=, /api/v1/feed.json, /badges/{name}.json
    and .svg, /openapi.json. SIGTERM or Ctrl-C stops it cleanly: finished probe
    results are already stored; running ones get a grace period; a running stress
    job is cut short (nothing recorded; the next crawl queues it again).

    \b
    Examples:
      fttrack serve
      fttrack serve --db postgresql://fttrack@db/fttrack --host 0.0.0.0 --port 8000
      FTTRACK_API_TOKEN=secret fttrack serve --interval 30 --probe-workers 2
    """
    import dataclasses

    import uvicorn

    from tracker.api.guard import KEEP_ALIVE_SECONDS, protocol_class
    from tracker.config import load_settings
    from tracker.redact import redact_record
    from tracker.server import ServeOptions, build_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:  # no credentials, no control characters
        handler.addFilter(redact_record)
    for noisy in ("httpx", "alembic"):  # a line per index request or migration step is noise
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = load_settings()
    if db_url:
        settings = dataclasses.replace(settings, db_url=db_url)
    server = build_server(settings, ServeOptions(**options))
    server.start()
    config = uvicorn.Config(
        server.app,
        host=host,
        port=port,
        log_level="info",
        http=protocol_class(),  # a request head must arrive within 10 s
        timeout_keep_alive=int(KEEP_ALIVE_SECONDS),  # idle connections closed after 5 s
    )
    uvicorn.Server(config).run()
