"""``fttrack changes``: what changed between consecutive releases, newest first."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tracker.changes_index import ChangeIndex, ChangeQuery, parse_since, project_names
from tracker.commands.options import TARGET_NAMES_HELP, verdict_source_options
from tracker.documents import TARGET_NAMES, Change, ProjectChanges, decode_project_changes
from tracker.store.engine import Store
from tracker.verdicts.interface import VerdictSource
from tracker.vocabulary import CHANGE_RECORDS, ChangeKind, change_colour

__all__ = ["changes", "open_change_index", "source_change_index"]


def open_change_index(
    server: str | None, db: str | None, snapshot: Path | None
) -> tuple[ChangeIndex, str]:
    """The changes of the source the options name (as :func:`open_verdict_source` picks
    it) and its description (see :func:`source_change_index`)."""
    from tracker.verdicts.choose import open_verdict_source

    source = open_verdict_source(server, db, snapshot)
    try:
        return source_change_index(source), source.describe()
    finally:
        source.close()


def source_change_index(source: VerdictSource) -> ChangeIndex:
    """Every change an open verdict source holds: a snapshot's from its changes member
    (an older snapshot's computed once and kept in the cache directory), a database's
    beside its summaries, a server's read page by page. The
    TUI's changes screen reads them with this too."""
    from tracker.config import load_settings
    from tracker.errors import SourceError
    from tracker.verdicts.snapshot import SnapshotSource

    if isinstance(source, SnapshotSource):
        return ChangeIndex.from_archive(source.archive, load_settings().cache_dir)
    store = getattr(source, "store", None)
    if isinstance(store, Store):
        return ChangeIndex.from_store(store)
    server = getattr(source, "server", None)
    if isinstance(server, str):
        return _remote_index(server)
    raise SourceError(f"the {source.describe()} lists no changes")


def _remote_index(server: str) -> ChangeIndex:
    """Every change a server lists (page by page)."""
    import httpx

    found: list[Change] = []
    url: str | None = server.rstrip("/") + "/api/v1/changes?limit=1000"
    with httpx.Client(timeout=30) as client:
        while url is not None:
            answer = client.get(url)
            answer.raise_for_status()
            body = answer.json()
            page = decode_project_changes(json.dumps({"name": "", "changes": body["changes"]}))
            found.extend(page.changes if page is not None else [])
            url = body["next"] and server.rstrip("/") + body["next"]
    by_project: dict[str, list[Change]] = {}
    for change in found:
        by_project.setdefault(change.project, []).append(change)
    return ChangeIndex(ProjectChanges(name=n, changes=c) for n, c in by_project.items())


@click.command("changes")
@click.argument("projects", nargs=-1, metavar="[PROJECT]...")
@click.option(
    "--since",
    default="7d",
    show_default=True,
    help="An age (7d, 12h, 2w) or an ISO date; 'all' for every change.",
)
@click.option(
    "--target", type=click.Choice(TARGET_NAMES), help=f"Only this target ({TARGET_NAMES_HELP})."
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([k.value for k in ChangeKind]),
    help="Only changes of this kind (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a list of changes).")
@verdict_source_options
def changes(
    projects: tuple[str, ...],
    since: str,
    target: str | None,
    kinds: tuple[str, ...],
    as_json: bool,
    server: str | None,
    db: str | None,
    snapshot: Path | None,
) -> None:
    """Print what changed between consecutive releases of projects, newest first: a first
    free-threaded wheel, now ready, fixed, regressed, a dropped target, races found or
    fixed. A change's date is the newer release's upload time.

    \b
    Examples:
      fttrack changes --since 30d --kind regressed
      fttrack changes --since all numpy pandas
      fttrack changes --target 3.14t --kind now-ready --json
    """
    from rich.console import Console
    from rich.table import Table

    from tracker.errors import FttrackError

    try:
        bound = None if since == "all" else parse_since(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    query = ChangeQuery(
        since=bound,
        target=target,
        kinds=frozenset(ChangeKind(k) for k in kinds),
        projects=project_names(projects),
    )
    try:
        index, described = open_change_index(server, db, snapshot)
    except FttrackError as exc:
        raise click.ClickException(str(exc)) from None
    found = index.select(query)
    if as_json:
        from tracker.documents import to_builtins

        click.echo(json.dumps(to_builtins(found), indent=2))
        return
    console = Console(highlight=False)
    if not found:
        console.print(f"no changes in {described} for these filters")
        return
    table = Table(box=None, pad_edge=False)
    for column in ("date", "project", "target", "change", "from", "to", "evidence"):
        table.add_column(column)
    for change in found:
        style = change_colour(change.kind).terminal
        evidence = change.evidence.value + (f" {change.probed}" if change.probed else "")
        after = change.stress or change.status.value
        if change.culprits:
            after += " (" + ", ".join(c.module for c in change.culprits[:2]) + ")"
        table.add_row(
            (change.date or "")[:10],
            change.display_name or change.project,
            change.target,
            f"[{style}]{CHANGE_RECORDS[change.kind].label}[/]",
            f"{change.previous} {change.previous_stress or change.previous_status.value}",
            f"{change.version} {after}",
            evidence,
        )
    console.print(table)
    counts = ", ".join(f"{n} {k}" for k, n in index.counts(found).items() if n)
    console.print(f"{len(found)} changes in {described}: {counts}")
