"""``fttrack audit``: which of a project's dependencies block free-threading?

Thin: it opens the requirement source (a file, ``--resolve``'d with uv, or the
installed distributions of an environment when no path is given) and the
verdict source, calls :func:`tracker.audit.resolve.resolve` once per target,
renders the report, and picks the exit code (0 nothing blocks, 1 blockers
found on the audited target, or on the default target with ``--target all``,
2 bad usage or unreadable input). See docs/audit.md.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from tracker.audit.report import AuditReport, MultiTargetReport
from tracker.audit.resolve import ProbeMissing, resolve
from tracker.audit.sources import FORMATS as INPUT_FORMATS
from tracker.audit.sources import detect_format, open_source, source_for
from tracker.errors import InputError, SourceError
from tracker.models import BLOCKING_STATUSES, Dependency, Status
from tracker.platforms import PLATFORMS
from tracker.verdicts.choose import choose_target, open_verdict_source
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
  (none)                            the distributions installed in an environment:
                                    --python, else the active virtualenv, else fttrack's own

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
  fttrack audit requirements.in --resolve             # judge the full pinned set
  fttrack audit --python .venv/bin/python             # what is installed there
  fttrack audit uv.lock --target all                  # one column per target

\b
Exit codes: 0 nothing blocks, 1 blockers found (with --target all: on the
default target, the newest one probed), 2 bad usage, unreadable input, or
--resolve failed (index unreachable, no solution).
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

    Provided by the probe (``tracker.ondemand:make_probe_missing``) where
    that is installed.
    """
    try:
        from tracker.ondemand import make_probe_missing
    except ImportError:
        raise SourceError("--probe-missing: the probe is not available in this build") from None
    hook: ProbeMissing = make_probe_missing(target=target, platform=platform)
    return hook


def _pick_target(source: VerdictSource, requested: str | None) -> str:
    choice = choose_target(source, requested)
    note = choice.note(source)
    if note:
        click.echo(f"fttrack: {note}", err=True)
    return choice.target


def _pick_targets(source: VerdictSource, requested: str | None) -> tuple[list[str], str]:
    """The targets to audit and the default one (it decides the exit code)."""
    if requested is not None and requested.strip().lower() == "all":
        return list(source.targets()), _pick_target(source, None)
    chosen = _pick_target(source, requested)
    return [chosen], chosen


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
@click.argument("path", metavar="[PATH|-|DIR]", required=False)
@click.option(
    "--target",
    metavar="3.14t|all",
    help="Free-threaded target, or 'all' for one column per target [default: the newest "
    "one probed in the source].",
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
    "--resolve",
    "resolve_deps",
    is_flag=True,
    help="Resolve a requirements file or pyproject.toml with uv (for the target's Python and "
    "the platform, wheels only, from the configured index) and judge the full pinned set; "
    "packages pulled in by others are marked 'via'.",
)
@click.option(
    "--python",
    "python",
    metavar="PYTHON",
    help="Without PATH: audit the distributions installed for this interpreter "
    "[default: the active virtualenv, else fttrack's own].",
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
    resolve_deps: bool,
    python: str | None,
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
    if path is None and (resolve_deps or format_in):
        option = "--resolve" if resolve_deps else "--format-in"
        raise click.UsageError(
            f"{option} needs a PATH (without one, the installed distributions are audited)"
        )
    if path is not None and python:
        raise click.UsageError("--python is for auditing an environment: give no PATH")
    dependencies, input_name, format_name, stdin_text = _read_input(path, format_in, resolve_deps)
    source = open_verdict_source(server, db, snapshot)
    targets, default = _pick_targets(source, target)
    if platform is None:
        from tracker.wheels import this_platform

        platform = this_platform()
    reports = []
    for each in targets:
        judged = dependencies
        if resolve_deps and path is not None:
            judged = _resolved(path, format_name, each, platform, dependencies, stdin_text)
        callback = probe_missing_hook(each, platform) if probe_missing else None
        reports.append(
            resolve(
                judged,
                source,
                target=each,
                platform=platform,
                input_name=input_name,
                kind=_source_kind(server, db),
                fail_on=fail_statuses,
                fail_on_likely=not ignore_likely,
                probe_missing=callback,
            )
        )
    from tracker.formats import get_multi_renderer, get_renderer

    color = output_format == "table" and _use_color(output)
    width = shutil.get_terminal_size((120, 24)).columns if color else None
    if target is not None and target.strip().lower() == "all":
        multi = MultiTargetReport(tuple(reports), default)
        text = get_multi_renderer(output_format)(multi, color=color, width=width, show_all=show_all)
        summaries, blockers = multi.summary_lines(), multi.blockers
    else:
        report: AuditReport = reports[0]
        text = get_renderer(output_format)(report, color=color, width=width, show_all=show_all)
        summaries, blockers = [report.summary_line()], report.blockers
    _write(text, output)
    if output_format != "table" or output is not None:
        for summary in summaries:
            click.echo(f"fttrack: {summary}", err=True)
    click.get_current_context().exit(1 if blockers else 0)


def _read_input(
    path: str | None, format_in: str | None, resolve_deps: bool
) -> tuple[list[Dependency], str, str, str | None]:
    """(dependencies, input name, format name, standard input's text when --resolve reads it)."""
    if path is None:
        from tracker.audit.installed import installed_environment

        environment = installed_environment(click.get_current_context().params.get("python"))
        return list(environment.dependencies), environment.description, "installed", None
    if resolve_deps and path == "-":
        from tracker.audit.sources.interface import read_text

        text = read_text("-")
        dependencies = list(source_for(format_in or "requirements", "-", text=text))
        return dependencies, "<stdin>", format_in or "requirements", text
    opened = open_source(path, format_in)
    dependencies = list(opened.source)
    if opened.note:
        click.echo(f"fttrack: {opened.note}", err=True)
    chosen = opened.source.path
    format_name = format_in or detect_format(chosen) or "requirements"
    return dependencies, chosen if path != "-" else "<stdin>", format_name, None


def _resolved(
    path: str,
    format_name: str,
    target: str,
    platform: str,
    direct: list[Dependency],
    stdin_text: str | None,
) -> list[Dependency]:
    """``--resolve``: the full pinned set for ``target`` (a note on stderr if sdists were
    needed)."""
    from tracker.audit.transitive import resolve_requirements
    from tracker.config import load_settings

    settings = load_settings()
    resolved = resolve_requirements(
        path,
        format_name=format_name,
        target=target,
        platform=platform,
        index_url=settings.require_index_url(),
        direct=direct,
        stdin_text=stdin_text,
    )
    if resolved.note:
        click.echo(f"fttrack: {resolved.note}", err=True)
    return list(resolved.dependencies)
