"""``fttrack status``: what the verdict source holds, and what this machine can probe."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Generic, TypeVar

import click
import msgspec

from tracker.commands.options import verdict_source_options
from tracker.config import Settings, load_settings
from tracker.documents import TARGET_NAMES, ProjectSummary, status_counts
from tracker.models import Status
from tracker.pythons.discover import (
    binary_identity,
    candidate_interpreters,
    check_interpreter,
    uv_python_dir,
    uv_python_dir_inputs,
)

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


_T = TypeVar("_T")

#: How long a machine report is trusted while nothing it depends on changed.
MACHINE_REPORT_SECONDS = 3600.0
#: The machine report's file in the cache directory.
MACHINE_REPORT_FILE = "machine-report.json"


class _Checked(msgspec.Struct, Generic[_T], forbid_unknown_fields=True):
    """One kept check: what it depended on, its answer, when (seconds since the epoch)."""

    inputs: Any
    answer: _T
    checked: float


#: A verified interpreter as the report shows it (:meth:`Interpreter.to_dict`).
_Interpreter = dict[str, str]


class _MachineReport(msgspec.Struct, forbid_unknown_fields=True):
    """The kept checks: interpreters by path, the sandbox levels, uv's install directory."""

    version: int
    interpreters: dict[str, _Checked[_Interpreter | None]] = {}
    sandboxes: _Checked[list[str]] | None = None
    uv_python_dir: _Checked[str | None] | None = None


_REPORT_VERSION = 1


def _load_report(path: Path) -> _MachineReport:
    """The kept checks at ``path``; an empty report for a missing, unreadable or
    malformed file (it is written again after the checks)."""
    try:
        kept = msgspec.json.decode(path.read_bytes(), type=_MachineReport)
    except (OSError, msgspec.DecodeError):
        return _MachineReport(version=_REPORT_VERSION)
    return kept if kept.version == _REPORT_VERSION else _MachineReport(version=_REPORT_VERSION)


def _save_report(path: Path, report: _MachineReport) -> None:
    """Write ``report`` whole or not at all (an unwritable cache only costs time)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(msgspec.json.encode(report))
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()


def _jsonable(value: object) -> Any:
    """``value`` as a JSON round trip gives it back (so that kept inputs compare equal)."""
    return msgspec.json.decode(msgspec.json.encode(value))


class _Kept:
    """The kept checks of one ``fttrack status``: each answer is reused while its inputs
    are the same and it is younger than :data:`MACHINE_REPORT_SECONDS`."""

    def __init__(self, path: Path, *, recheck: bool, now: float) -> None:
        self.path = path
        self.now = now
        self.old = _MachineReport(version=_REPORT_VERSION) if recheck else _load_report(path)
        self.new = _MachineReport(version=_REPORT_VERSION)
        self.changed = False
        self.lock = threading.Lock()

    def fresh(self, kept: _Checked[Any] | None, inputs: Any) -> bool:
        """Whether ``kept`` answers for ``inputs`` still."""
        return (
            kept is not None
            and kept.inputs == inputs
            and 0 <= self.now - kept.checked < MACHINE_REPORT_SECONDS
        )

    def sandbox_levels(self, inputs: object, check: Callable[[], list[str]]) -> list[str]:
        """The kept sandbox levels for ``inputs``, else ``check()``'s (then kept)."""
        inputs = _jsonable(inputs)
        kept = self.old.sandboxes
        if kept is None or not self.fresh(kept, inputs):
            kept = _Checked(inputs=inputs, answer=check(), checked=self.now)
            self.changed = True
        self.new.sandboxes = kept
        return kept.answer

    def uv_python_dir(self) -> Path | None:
        """uv's install directory, kept like a check (``uv python dir`` starts uv)."""
        inputs = _jsonable(uv_python_dir_inputs())
        kept = self.old.uv_python_dir
        if kept is None or not self.fresh(kept, inputs):
            found = uv_python_dir()
            kept = _Checked(inputs=inputs, answer=str(found) if found else None, checked=self.now)
            self.changed = True
        self.new.uv_python_dir = kept
        return Path(kept.answer) if kept.answer else None

    def interpreter(self, path: Path, source: str) -> _Checked[_Interpreter | None] | None:
        """The kept check of the interpreter at ``path`` while its binary is unchanged."""
        kept = self.old.interpreters.get(str(path))
        if kept is None or not self.fresh(kept, [source, binary_identity(path)]):
            return None
        with self.lock:
            self.new.interpreters[str(path)] = kept
        return kept

    def check_interpreter(self, path: Path, source: str) -> _Interpreter | None:
        """Start the interpreter at ``path`` and keep the answer (unless it timed out)."""
        inputs = [source, binary_identity(path)]
        found, conclusive = check_interpreter(path, source)
        answer = {key: str(value) for key, value in found.to_dict().items()} if found else None
        if conclusive:
            with self.lock:
                self.new.interpreters[str(path)] = _Checked(inputs, answer, self.now)
                self.changed = True
        return answer

    def save(self) -> None:
        """Write the report again when a check ran (a reused report leaves the file alone)."""
        if self.changed:
            _save_report(self.path, self.new)


def _interpreters(settings: Settings, kept: _Kept) -> list[dict[str, Any]]:
    """The verified interpreters' descriptions: kept ones reused, the others started."""
    from concurrent.futures import ThreadPoolExecutor

    answers: list[_Interpreter | None] = []
    unknown: list[tuple[int, Path, str]] = []
    for path, source in candidate_interpreters(settings, uv_dir=kept.uv_python_dir):
        reused = kept.interpreter(path, source)
        answers.append(reused.answer if reused else None)
        if reused is None:
            unknown.append((len(answers) - 1, path, source))
    if unknown:
        with ThreadPoolExecutor(max_workers=min(8, len(unknown))) as pool:
            checked = pool.map(lambda item: kept.check_interpreter(item[1], item[2]), unknown)
            for (index, _path, _source), answer in zip(unknown, checked, strict=True):
                answers[index] = answer
    return [answer for answer in answers if answer is not None]


def machine_capabilities(
    settings: Settings | None = None, *, recheck: bool = False
) -> dict[str, Any]:
    """Interpreters and sandbox levels available on this machine.

    Both checks start processes; their answers are kept in the cache directory
    (:data:`MACHINE_REPORT_FILE`) and reused while nothing they depend on changed
    (each interpreter's binary; the sandbox programs, the kernel's user-namespace
    settings and the effective uid) for up to :data:`MACHINE_REPORT_SECONDS`.
    ``recheck`` checks everything again. What does run, runs side by side.
    """
    from concurrent.futures import ThreadPoolExecutor

    from tracker.probe.sandbox import available_sandboxes, self_check_inputs

    settings = settings or load_settings()
    kept = _Kept(settings.cache_dir / MACHINE_REPORT_FILE, recheck=recheck, now=time.time())

    def levels() -> list[str]:
        return [s.level for s in available_sandboxes()]

    with ThreadPoolExecutor(max_workers=1) as pool:
        sandboxes = pool.submit(kept.sandbox_levels, self_check_inputs(), levels)
        report = {"interpreters": _interpreters(settings, kept), "sandboxes": sandboxes.result()}
    kept.save()
    return report


@click.command("status")
@verdict_source_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--recheck",
    is_flag=True,
    help="Check the interpreters and sandbox levels again (their report is kept for an hour).",
)
def status(
    server: str | None, db: str | None, snapshot: Path | None, as_json: bool, recheck: bool
) -> None:
    """Show what the active verdict source holds and what this machine can probe.

    Counts per target of the current releases' statuses, how many releases
    were probed, the newest probe date, the interpreters found and the
    sandbox levels that work here. The machine's report is kept in the
    cache directory and checked again when an interpreter's binary, the
    sandbox programs or the kernel's user-namespace settings change, after
    an hour, or with --recheck.

    \b
    Examples:
      fttrack status
      fttrack status --recheck
      fttrack status --db postgresql://fttrack@db/fttrack --json
    """
    from concurrent.futures import ThreadPoolExecutor

    from tracker.verdicts.choose import open_verdict_source

    source = open_verdict_source(server, db, snapshot)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # its processes (if any) run while the source is read
        machine = pool.submit(machine_capabilities, recheck=recheck)
        report: dict[str, Any] = {"source": source.describe()}
        report.update(source_coverage(source.summaries()))
        report["claim_mismatches"] = _claim_counts(source, db)
        damaged = getattr(source, "damaged", None)  # a database's rows that do not decode
        if damaged:
            report["damaged_rows"] = [
                {"project": d.project, "column": d.column, "reason": d.reason} for d in damaged
            ]
        report.update(machine.result())
    report["probe_leftovers"] = _leftovers()
    if db and importlib.util.find_spec("tracker.queue") is not None:
        from tracker.queue.health import queue_health

        report["queue"] = queue_health(db)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    _print_report(report)
    if report.get("claim_mismatches"):
        counts = ", ".join(f"{n} {flag}" for flag, n in report["claim_mismatches"].items())
        click.echo(f"claims against evidence (current releases): {counts}")
    for row in report.get("damaged_rows", []):  # skipped above: rebuilt at the next write
        click.echo(f"damaged row (skipped): {row['project']} {row['column']}: {row['reason']}")
    for leftover in report["probe_leftovers"]:
        size = f", {leftover['bytes'] / 1e6:.1f} MB" if leftover["kind"] == "directory" else ""
        click.echo(
            f"left by a dead probe (pid {leftover['pid']}{size}): {leftover['kind']} "
            f"{leftover['path']} (removed at the next 'fttrack worker' or 'fttrack serve' start)"
        )


def _claim_counts(source: object, db: str | None) -> dict[str, int] | None:
    """Per claim flag (classifier or ``Py_mod_gil`` against the probe), how many projects'
    current releases raise it; from a database's stored changes, or a snapshot's changes
    when it carries them or they are kept in the cache directory already (None otherwise:
    never computed here, ``fttrack changes`` computes them)."""
    from tracker.changes_index import ChangeIndex
    from tracker.verdicts.snapshot import SnapshotSource

    if isinstance(source, SnapshotSource):
        index = ChangeIndex.cached_for(source.archive, load_settings().cache_dir)
    elif db:
        from tracker.store import open_store

        store = open_store(db, seed=False)
        try:
            index = ChangeIndex.from_store(store)
        finally:
            store.close()
    else:
        return None
    return None if index is None else index.claim_counts()


def _leftovers() -> list[dict[str, Any]]:
    """The directories and cgroups of this installation's dead probes."""
    from tracker.probe.leftovers import find_leftovers

    return [
        {"kind": x.kind, "path": str(x.path), "pid": x.pid, "bytes": x.size}
        for x in find_leftovers()
    ]


def _print_report(report: dict[str, Any]) -> None:
    from tracker.commands.status_text import (
        console_width,
        heading_lines,
        machine_lines,
        plain_report,
        table_rows,
        use_rich,
    )

    statuses = [s.value for s in Status]
    if not use_rich(sys.stdout, os.environ):
        text = plain_report(report, TARGET_NAMES, statuses, console_width(os.environ))
        if text is not None:  # the same characters rich would print, without loading it
            sys.stdout.write(text)
            return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    (label, value), counts = heading_lines(report)
    console.print(f"[bold]{label}[/]: {value}")
    console.print(counts)
    table = Table("status (current release)", *TARGET_NAMES, title="verdicts per target")
    *rows, probed = table_rows(report, TARGET_NAMES, statuses)
    for row in rows:
        table.add_row(*row)
    table.add_row(f"[dim]{probed[0]}[/]", *probed[1:])
    console.print(table)
    for label, value in machine_lines(report):
        console.print(f"[bold]{label}[/]: {value}")
    if "queue" in report:
        console.print(f"[bold]probe queue[/]: {report['queue']}")
