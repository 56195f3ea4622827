"""``fttrack status``: what the verdict source holds, and what this machine can probe."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from tracker.models import TARGETS, Status

__all__ = ["source_coverage", "status"]

TARGET_NAMES = tuple(t.name for t in TARGETS)


def source_coverage(documents: Any) -> dict[str, Any]:
    """Coverage figures of an iterable of project documents.

    Counts per target: the current release's status, probes of any release,
    and the newest probe date; plus the number of projects and releases.
    """
    from tracker.verdicts.listing import current_release

    projects = releases = 0
    by_status: dict[str, Counter[str]] = {t: Counter() for t in TARGET_NAMES}
    probes: Counter[str] = Counter()
    probed_releases: Counter[str] = Counter()
    newest: str | None = None
    for document in documents:
        projects += 1
        releases += len(document.get("releases") or [])
        for release in document.get("releases") or []:
            for target, verdict in (release.get("targets") or {}).items():
                if verdict.get("evidence") == "probe":
                    probed_releases[target] += 1
                    probes[target] += 1
                    when = verdict.get("probed_at")
                    if when and (newest is None or when > newest):
                        newest = when
        current = current_release(document)
        for target in TARGET_NAMES:
            verdict = ((current or {}).get("targets") or {}).get(target) or {}
            by_status[target][verdict.get("status", Status.UNKNOWN.value)] += 1
    return {
        "projects": projects,
        "releases": releases,
        "probed_releases": {t: probed_releases[t] for t in TARGET_NAMES},
        "newest_probe": newest,
        "current_release_status": {
            t: {s.value: by_status[t][s.value] for s in Status if by_status[t][s.value]}
            for t in TARGET_NAMES
        },
    }


def machine_capabilities() -> dict[str, Any]:
    """Interpreters and sandbox levels available on this machine."""
    from tracker.config import load_settings
    from tracker.probe.sandbox import available_sandboxes
    from tracker.pythons.discover import find_interpreters

    return {
        "interpreters": [i.to_dict() for i in find_interpreters(load_settings())],
        "sandboxes": [s.level for s in available_sandboxes()],
    }


@click.command("status")
@click.option(
    "--snapshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read this snapshot/feed file (default: the one shipped in data/).",
)
@click.option("--db", help="Read a tracker database instead (URL).")
@click.option("--server", help="Ask a running fttrack server instead (base URL).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(snapshot: Path | None, db: str | None, server: str | None, as_json: bool) -> None:
    """Show what the active verdict source holds and what this machine can probe.

    Counts per target of the current releases' statuses, how many releases
    were probed, the newest probe date, the interpreters found and the
    sandbox levels that work here.

    \b
    Examples:
      fttrack status
      fttrack status --db postgresql://fttrack@db/fttrack --json
    """
    from tracker.audit.command import build_verdict_source
    from tracker.verdicts.listing import iter_project_documents

    source = build_verdict_source(server, db, snapshot)
    report: dict[str, Any] = {"source": source.describe()}
    report.update(source_coverage(iter_project_documents(source)))
    report.update(machine_capabilities())
    if db and importlib.util.find_spec("tracker.queue") is not None:
        from tracker.queue import queue_health

        report["queue"] = queue_health(db)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    _print_report(report)


def _print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]source[/]: {report['source']}")
    console.print(
        f"{report['projects']} projects, {report['releases']} releases, newest probe "
        f"{report['newest_probe'] or 'never'}"
    )
    table = Table("status (current release)", *TARGET_NAMES, title="verdicts per target")
    statuses = [s.value for s in Status]
    for value in statuses:
        row = [str(report["current_release_status"][t].get(value, 0)) for t in TARGET_NAMES]
        if any(cell != "0" for cell in row):
            table.add_row(value, *row)
    table.add_row(
        "[dim]probed releases[/]", *(str(report["probed_releases"][t]) for t in TARGET_NAMES)
    )
    console.print(table)
    interpreters = ", ".join(f"{i['target']} ({i['version']})" for i in report["interpreters"])
    console.print(f"[bold]interpreters[/]: {interpreters or 'none (fttrack python install 3.14t)'}")
    console.print(f"[bold]sandbox levels[/]: {', '.join(report['sandboxes']) or 'none'}")
    if "queue" in report:
        console.print(f"[bold]probe queue[/]: {report['queue']}")
