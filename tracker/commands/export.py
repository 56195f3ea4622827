"""``fttrack export DIR``: the summary feed, project documents, badges and a static HTML page."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from tracker.store.damaged import DamagedRow

__all__ = ["export"]


def _missing_database(url: str) -> str | None:
    """The path of a SQLite database ``url`` names that does not exist yet (None for
    one that does, or a server's database)."""
    from sqlalchemy.engine.url import make_url
    from sqlalchemy.exc import ArgumentError

    from tracker.store.engine import normalize_db_url

    try:
        parsed = make_url(normalize_db_url(url))
    except ArgumentError:
        return None  # open_store says what is wrong with it
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    path = Path(database).expanduser()
    return None if path.exists() else str(path)


def _decodable(
    documents: Iterable[tuple[str, bytes]], damaged: list[DamagedRow]
) -> Iterator[tuple[str, bytes]]:
    """The stored documents that decode (written as stored); the others go to ``damaged``."""
    from tracker.documents import decode_document
    from tracker.store.damaged import check_row

    for name, body in documents:
        _document, problem = check_row(name, "document", body, decode_document)
        if problem is None:
            yield name, body
        else:
            damaged.append(problem)


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL (sqlite:///PATH or postgresql://...). Default: the configured database.",
)
@click.option(
    "--svg-per-project",
    is_flag=True,
    help="Also write DIR/badges/NAME-TARGET.svg for every project and target "
    "(about 1 KB each; without it, each distinct SVG badge is written once).",
)
def export(directory: Path, db_url: str | None, svg_per_project: bool) -> None:
    """Write a static site from the database: DIR/feed.json (and .gz, the summary feed),
    DIR/projects/NAME.json.gz (each project's history, gzip), DIR/badges/NAME-TARGET.json
    (each project's shields.io endpoint badge), DIR/badges/TARGET/MESSAGE.svg (each
    distinct SVG badge, once) and DIR/index.html (a readiness chart and a searchable
    table). Files that already hold the same bytes are left alone.

    Without --db, before the configured database exists (a fresh install), the
    shipped snapshot is exported as it is (no database is made); an empty database
    is seeded from the snapshot first, with a progress bar.

    \b
    Examples:
      fttrack export site/
      fttrack export site/ --db postgresql://tracker@db/fttrack
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from tracker.archive import Archive
    from tracker.changes_index import ChangeIndex
    from tracker.config import load_settings
    from tracker.datafiles import snapshot_path
    from tracker.documents import ProjectDocument, SummaryFeed, summary_feed
    from tracker.site import ExportResult, write_site
    from tracker.store.engine import open_store

    console = Console(stderr=True)
    started = time.monotonic()
    url = db_url or load_settings().db_url

    def bar() -> Progress:
        return Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )

    def write(
        feed: SummaryFeed,
        documents: Iterable[ProjectDocument | tuple[str, bytes]],
        changes: ChangeIndex,
    ) -> ExportResult:
        with bar() as shown:
            names = len(feed.projects)
            task = shown.add_task(f"exporting {names} projects", total=names)
            try:
                return write_site(
                    feed,
                    documents,
                    directory,
                    svg_per_project=svg_per_project,
                    progress=lambda _name: shown.advance(task),
                    changes=changes.changes,
                )
            except OSError as exc:
                raise click.ClickException(
                    f"{directory}: cannot write: {exc.strerror or exc}"
                ) from None

    damaged: list[DamagedRow] = []
    missing = None if db_url else _missing_database(url)
    if missing is not None:
        archive = Archive(snapshot_path())
        console.print(
            f"no database at {missing} yet: exporting the snapshot {archive.path} "
            f"({len(archive.names())} projects) as it is (--db to export a database)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        feed = summary_feed(archive.summaries(), generated=archive.generated)
        with console.status("reading the snapshot's changes"):
            changes = ChangeIndex.from_archive(archive, load_settings().cache_dir)
        result = write(feed, archive.documents(), changes)
    else:
        store = open_store(url, seed=False)
        try:
            if store.project_count() == 0:
                with bar() as shown:
                    task = shown.add_task("seeding the database from the snapshot", total=None)
                    store.seed(
                        progress=lambda done, total: shown.update(task, completed=done, total=total)
                    )
            summaries, damaged = store.checked_summaries()
            feed = summary_feed(summaries)
            names = [s.name for s in feed.projects]
            changes = ChangeIndex.from_store(store)
            result = write(feed, _decodable(store.document_json(names), damaged), changes)
        finally:
            store.close()
    for row in damaged:  # their summaries and documents are left out of the site
        console.print(f"skipped a damaged row: {row}", markup=False, highlight=False)
    console.print(
        f"wrote {result.projects} projects and {result.badges} badges to {result.directory} "
        f"({result.bytes_written / 2**20:.1f} MiB) in {time.monotonic() - started:.1f} s"
    )
