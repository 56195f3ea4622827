"""``fttrack audit``: which of a project's dependencies block free-threading?

Thin: it opens the requirement source and the verdict source, calls
:func:`tracker.audit.resolve.resolve`, renders the report, and picks the exit
code (0 nothing blocks, 1 blockers found, 2 bad usage or unreadable input).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from tracker.audit.report import AuditReport
from tracker.audit.resolve import ProbeMissing, default_target, resolve
from tracker.audit.sources import FORMATS as INPUT_FORMATS
from tracker.audit.sources import open_source
from tracker.errors import InputError, SourceError
from tracker.models import BLOCKING_STATUSES, Status, get_target
from tracker.platforms import PLATFORMS
from tracker.verdicts.interface import VerdictSource

__all__ = ["audit", "parse_fail_on", "probe_missing_hook"]

_OUTPUT_FORMATS = ("table", "json", "markdown", "github")

_EPILOG = """\b
Input (PATH):
  requirements.txt, *.txt, *.in     pip requirements (-r/-c includes, --hash, markers)
  uv.lock, poetry.lock, pdm.lock    lockfiles (Poetry 1.x and 2.x)
  Pipfile.lock, pylock.toml         pipenv lockfile; PEP 751 lockfile
  pyproject.toml                    [project] dependencies and [dependency-groups]
  DIR                               the best of these found in DIR (lockfiles first)
  -                                 requirements read from standard input

\b
Examples:
  fttrack audit requirements.txt
  fttrack audit . --target 3.14t
  fttrack audit uv.lock --format json --output audit.json
  fttrack audit poetry.lock --format markdown > comment.md
  fttrack audit requirements.txt --format github      # annotations in GitHub Actions
  fttrack audit uv.lock --fail-on gil-reenabled,crashed
  pip freeze | fttrack audit -
  fttrack audit deps.lock --format-in uv.lock
  fttrack audit uv.lock --server https://fttrack.example.org

\b
Exit codes: 0 nothing blocks, 1 blockers found, 2 bad usage or unreadable input.
Statuses: ready, pure, wheel-only, gil-reenabled, import-failed, crashed,
timed-out, install-failed, no-ft-wheel, sdist-only, unknown."""


def parse_fail_on(text: str | None) -> frozenset[Status]:
    """``--fail-on`` value (comma-separated statuses, or ``none``) as a set of statuses.

    >>> sorted(parse_fail_on("crashed, gil-reenabled"))
    [<Status.CRASHED: 'crashed'>, <Status.GIL_REENABLED: 'gil-reenabled'>]
    """
    if text is None:
        return frozenset(BLOCKING_STATUSES)
    if text.strip().lower() == "none":
        return frozenset()
    chosen = set()
    for part in text.split(","):
        word = part.strip().lower()
        if not word:
            continue
        try:
            chosen.add(Status(word))
        except ValueError:
            known = ", ".join(s.value for s in Status)
            raise click.BadParameter(
                f"unknown status {word!r} (known: {known}, or none)", param_hint="--fail-on"
            ) from None
    if not chosen:
        raise click.BadParameter("expected at least one status", param_hint="--fail-on")
    return frozenset(chosen)


def probe_missing_hook(target: str, platform: str) -> ProbeMissing:
    """The callback behind ``--probe-missing``: probe projects the source does not know.

    Provided by the probe (``tracker.probe.audit_hook:make_probe_missing``) where
    that is installed.
    """
    try:
        from tracker.probe.audit_hook import make_probe_missing
    except ImportError:
        raise SourceError("--probe-missing: the probe is not available in this build") from None
    hook: ProbeMissing = make_probe_missing(target=target, platform=platform)
    return hook


def build_verdict_source(
    server: str | None, db: str | None, snapshot: Path | None
) -> VerdictSource:
    """The verdict source the options name: a server, a database, else the snapshot.

    Shared by ``fttrack audit``, ``fttrack status`` and ``fttrack tui``.
    """
    chosen = [
        name
        for name, value in (("--server", server), ("--db", db), ("--snapshot", snapshot))
        if value
    ]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one verdict source, not {' and '.join(chosen)}")
    if server:
        from tracker.verdicts.remote import RemoteSource

        return RemoteSource(server)
    if db:
        try:
            from tracker.verdicts.database import DatabaseSource
        except ModuleNotFoundError as exc:
            if exc.name not in ("tracker.verdicts.database", "tracker.verdicts"):
                raise SourceError(f"--db: the database source needs {exc.name}") from None
            raise SourceError(
                "--db: the database verdict source (tracker.verdicts.database) is not "
                "available in this build; use --snapshot or --server"
            ) from None
        source: VerdictSource = DatabaseSource(db)
        return source
    from tracker.verdicts.snapshot import SnapshotSource

    return SnapshotSource(snapshot)


def _pick_target(source: VerdictSource, requested: str | None) -> str:
    if requested is None:
        target, probed = default_target(source)
        if not probed:
            click.echo(
                f"fttrack: nothing was probed on {target} in {source.describe()}: "
                "verdicts rest on wheel tags only",
                err=True,
            )
        return target
    try:
        target = get_target(requested).name
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--target") from None
    available = source.targets()
    if target not in available:
        has = ", ".join(available) or "none"
        raise click.BadParameter(
            f"{target}: {source.describe()} has no verdicts for it (has: {has})",
            param_hint="--target",
        )
    if target not in source.probed_targets():
        click.echo(
            f"fttrack: nothing was probed on {target} in {source.describe()}: "
            "verdicts rest on wheel tags only",
            err=True,
        )
    return target


def _source_kind(server: str | None, db: str | None) -> str:
    return "server" if server else "database" if db else "snapshot"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(str(output), f"cannot write: {exc.strerror or exc}") from None


def _use_color(output: Path | None) -> bool:
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


@click.command(
    "audit",
    epilog=_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("path", metavar="PATH|-|DIR")
@click.option(
    "--target", metavar="3.14t", help="Free-threaded target [default: newest in the source]."
)
@click.option(
    "--platform",
    type=click.Choice(PLATFORMS),
    metavar="PLATFORM",
    help="Wheel platform to judge for, e.g. manylinux_x86_64, macosx_arm64, win_amd64 "
    "[default: this machine's].",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(_OUTPUT_FORMATS),
    default="table",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--fail-on",
    metavar="STATUS[,STATUS]",
    help="Statuses that block (exit 1), or 'none' [default: gil-reenabled, import-failed, "
    "crashed, timed-out, install-failed, no-ft-wheel, sdist-only].",
)
@click.option("--server", metavar="URL", help="Read verdicts from a fttrack server's API.")
@click.option("--db", metavar="URL", help="Read verdicts from a fttrack database.")
@click.option(
    "--snapshot",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read verdicts from this feed file (JSON or gzip JSON) [default: $FTTRACK_SNAPSHOT, "
    "else the shipped data/snapshot.json.gz].",
)
@click.option(
    "--format-in",
    type=click.Choice(tuple(INPUT_FORMATS)),
    metavar="NAME",
    help="Read PATH as this format instead of guessing from its name: "
    + ", ".join(INPUT_FORMATS)
    + ".",
)
@click.option(
    "--probe-missing",
    is_flag=True,
    help="Probe dependencies the verdict source does not know (needs a free-threaded "
    "interpreter and a sandbox).",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="List every dependency (default: only what needs attention: blockers, likely "
    "blockers, unknown and unproven ones).",
)
@click.option(
    "--ignore-likely",
    is_flag=True,
    help="Likely blockers (a status inferred from a neighbouring release's probe) are "
    "reported but do not fail the audit.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to FILE instead of standard output.",
)
def audit(
    path: str,
    target: str | None,
    platform: str | None,
    output_format: str,
    fail_on: str | None,
    server: str | None,
    db: str | None,
    snapshot: Path | None,
    format_in: str | None,
    probe_missing: bool,
    show_all: bool,
    ignore_likely: bool,
    output: Path | None,
) -> None:
    """Audit PATH's dependencies for free-threaded CPython.

    Reads a lockfile, a requirements file or a pyproject.toml, and says for each
    dependency whether it works on a free-threaded build (3.13t, 3.14t, 3.15t),
    what the verdict stands on (a sandboxed import probe, or only wheel tags),
    which module re-enables the GIL, and the first version that is ready.
    Verdicts come from the shipped snapshot unless --server or --db is given.
    """
    fail_statuses = parse_fail_on(fail_on)
    opened = open_source(path, format_in)
    dependencies = list(opened.source)
    if opened.note:
        click.echo(f"fttrack: {opened.note}", err=True)
    source = build_verdict_source(server, db, snapshot)
    chosen_target = _pick_target(source, target)
    if platform is None:
        from tracker.wheels import this_platform

        platform = this_platform()
    callback = probe_missing_hook(chosen_target, platform) if probe_missing else None
    report: AuditReport = resolve(
        dependencies,
        source,
        target=chosen_target,
        platform=platform,
        input_name=opened.source.path if path != "-" else "<stdin>",
        kind=_source_kind(server, db),
        fail_on=fail_statuses,
        fail_on_likely=not ignore_likely,
        probe_missing=callback,
    )
    from tracker.formats import get_renderer

    color = output_format == "table" and _use_color(output)
    width = shutil.get_terminal_size((120, 24)).columns if color else None
    render = get_renderer(output_format)
    _write(render(report, color=color, width=width, show_all=show_all), output)
    if output_format != "table" or output is not None:
        click.echo(f"fttrack: {report.summary_line()}", err=True)
    click.get_current_context().exit(1 if report.blockers else 0)
