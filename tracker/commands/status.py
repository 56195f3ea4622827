"""``fttrack status``: what the verdict source holds, and what this machine can probe."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from tracker.commands.options import verdict_source_options
from tracker.documents import TARGET_NAMES, ProjectSummary, status_counts
from tracker.models import Status

__all__ = ["source_coverage", "status"]


def source_coverage(summaries: Iterable[ProjectSummary]) -> dict[str, Any]:
    """Coverage figures of project summaries (no history is read).

    Counts per target: the current release's status and the releases a probe
    judged; the newest probe; the number of projects and releases.
    """
    summaries = list(summaries)
    probed = {t: sum(s.cell(t).probed for s in summaries) for t in TARGET_NAMES}
    probes = [s.last_probe for s in summaries if s.last_probe]
    counts = status_counts(summaries)
    return {
        "projects": len(summaries),
        "releases": sum(s.release_count for s in summaries),
        "probed_releases": probed,
        "newest_probe": max(probes)[:19] + "Z" if probes else None,
        "current_release_status": {
            t: {status: n for status, n in counts[t].items() if n} for t in TARGET_NAMES
        },
    }


def machine_capabilities() -> dict[str, Any]:
    """Interpreters and sandbox levels available on this machine (both checks start
    processes: they run side by side)."""
    from concurrent.futures import ThreadPoolExecutor

    from tracker.config import load_settings
    from tracker.probe.sandbox import available_sandboxes
    from tracker.pythons.discover import find_interpreters

    with ThreadPoolExecutor(max_workers=2) as pool:
        interpreters = pool.submit(find_interpreters, load_settings())
        sandboxes = pool.submit(available_sandboxes)
        return {
            "interpreters": [i.to_dict() for i in interpreters.result()],
            "sandboxes": [s.level for s in sandboxes.result()],
        }


@click.command("status")
@verdict_source_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(server: str | None, db: str | None, snapshot: Path | None, as_json: bool) -> None:
    """Show what the active verdict source holds and what this machine can probe.

    Counts per target of the current releases' statuses, how many releases
    were probed, the newest probe date, the interpreters found and the
    sandbox levels that work here.

    \b
    Examples:
      fttrack status
      fttrack status --db postgresql://fttrack@db/fttrack --json
    """
    from concurrent.futures import ThreadPoolExecutor

    from tracker.verdicts.choose import open_verdict_source

    source = open_verdict_source(server, db, snapshot)
    with ThreadPoolExecutor(max_workers=1) as pool:
        machine = pool.submit(machine_capabilities)  # its processes run while the source is read
        report: dict[str, Any] = {"source": source.describe()}
        report.update(source_coverage(source.summaries()))
        report.update(machine.result())
    if db and importlib.util.find_spec("tracker.queue") is not None:
        from tracker.queue import queue_health

        report["queue"] = queue_health(db)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    _print_report(report)


def _print_report(report: dict[str, Any]) -> None:
    from tracker.commands.status_text import console_width, plain_report, use_rich

    if not use_rich(sys.stdout, os.environ):
        statuses = [s.value for s in Status]
        text = plain_report(report, TARGET_NAMES, statuses, console_width(os.environ))
        if text is not None:  # the same characters rich would print, without loading it
            sys.stdout.write(text)
            return
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
