"""``fttrack export DIR``: the feed, project documents, badges and a static HTML page."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["export"]


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL (sqlite:///PATH or postgresql://...). Default: the configured database.",
)
def export(directory: Path, db_url: str | None) -> None:
    """Write DIR/feed.json (and .gz), DIR/projects/NAME.json, DIR/badges/NAME-TARGET.{json,svg}
    and DIR/index.html (a readiness chart and a searchable table) from the database.

    \b
    Examples:
      fttrack export site/
      fttrack export site/ --db postgresql://tracker@db/fttrack
    """
    from tracker.config import load_settings
    from tracker.site import write_site
    from tracker.store.engine import open_store

    url = db_url or load_settings().db_url
    store = open_store(url)
    try:
        feed = store.feed()
    finally:
        store.close()
    try:
        result = write_site(feed, directory)
    except OSError as exc:
        raise click.ClickException(f"{directory}: cannot write: {exc.strerror or exc}") from None
    click.echo(
        f"wrote {result.projects} projects and {result.badges * 2} badges to {result.directory}",
        err=True,
    )
