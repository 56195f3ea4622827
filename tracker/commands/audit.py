"""``fttrack audit``: which of a project's dependencies block free-threading?

Thin: it checks the options and hands the rest to
:func:`tracker.audit.run.run_audit` (the input: a file, ``--resolve``'d with
uv, or the installed distributions of an environment when no path is given;
then the verdict source, the target, one report per target); it renders the
report and picks the exit code (0 nothing blocks, 1 blockers found on the
audited target, or on the default target with ``--target all``, 2 bad usage or
unreadable input). See docs/audit.md.
"""

from __future__ import annotations

from pathlib import Path

import click

from tracker.audit.graph import Selection
from tracker.audit.resolve import ProbeMissing
from tracker.audit.run import AuditRequest, run_audit
from tracker.audit.sources import FORMATS as INPUT_FORMATS
from tracker.commands.audit_output import (
    OUTPUT_FORMATS,
    finish_audit,
    read_fail_on,
    read_fail_on_stress,
    use_color,
)
from tracker.commands.options import TargetValue, target_option, verdict_source_options
from tracker.errors import SourceError
from tracker.models import Status
from tracker.platforms import PLATFORMS
from tracker.redact import safe_line
from tracker.verdicts.choose import open_verdict_source
from tracker.vocabulary import StressStatus

__all__ = ["audit", "parse_fail_on", "probe_missing_hook"]

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
  fttrack audit uv.lock --no-dev --extra postgres     # what production installs
  fttrack audit --explain numpy==2.5.0 --target 3.14t # one project, explained

\b
Exit codes: 0 nothing blocks, 1 blockers found (with --target all: on the
default target, the newest one probed), 2 bad usage, unreadable input, or
--resolve failed (index unreachable, no solution).
Statuses: ready, pure, wheel-only, gil-reenabled, import-failed, crashed,
timed-out, install-failed, no-ft-wheel, sdist-only, unknown. Of the release's
own tests in threads (its stress result, added to the statuses above unless
some are named): races, deadlocked, unsafe-tests, threads:crashed."""


def parse_fail_on(text: str | None) -> frozenset[Status]:
    """``--fail-on`` as :func:`~tracker.commands.audit_output.read_fail_on` reads it, a
    usage error where that refuses it."""
    try:
        return read_fail_on(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-on") from None


def parse_fail_on_stress(text: str | None) -> frozenset[StressStatus]:
    """``--fail-on``'s stress statuses (see
    :func:`~tracker.commands.audit_output.read_fail_on_stress`), a usage error where
    that refuses them."""
    try:
        return read_fail_on_stress(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-on") from None


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


@click.command(
    "audit",
    epilog=_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("path", metavar="[PATH|-|DIR]", required=False)
@target_option(allow_all=True)
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
    type=click.Choice(OUTPUT_FORMATS),
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
@verdict_source_options
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
    "--extra",
    "extras",
    multiple=True,
    metavar="EXTRA",
    help="Lockfiles with a graph (uv.lock, Poetry 1.x): install only these extras of the "
    "project (repeat for more) [default: all of them].",
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="GROUP",
    help="Lockfiles with a graph: install only these dependency groups of the project "
    "(repeat for more) [default: all of them].",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Never ask the package index: pins the verdicts do not know are judged from the "
    "lockfile's own files, else counted unknown (also FTTRACK_OFFLINE=1).",
)
@click.option(
    "--no-dev",
    is_flag=True,
    help="Lockfiles with a graph: leave the project's development group out.",
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
@click.option(
    "--explain",
    metavar="NAME[==VERSION]",
    help="Explain one project instead of auditing PATH: its verdict, evidence, culprits, "
    "upgrade hint, claim checks and recent changes (--format table or json).",
)
def audit(
    path: str | None,
    target: TargetValue,
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
    extras: tuple[str, ...],
    groups: tuple[str, ...],
    no_dev: bool,
    offline: bool,
    python: str | None,
    output: Path | None,
    explain: str | None,
) -> None:
    """Audit PATH's dependencies for free-threaded CPython.

    Reads a lockfile, a requirements file or a pyproject.toml, and says for each
    dependency whether it works on a free-threaded build (3.13t, 3.14t, 3.15t),
    what the verdict stands on (a sandboxed import probe, or only wheel tags),
    which module re-enables the GIL, and the first version that is ready.
    Verdicts come from the shipped snapshot unless --server or --db is given.
    """
    if explain is not None:
        _explain(explain, target, platform, output_format, (server, db, snapshot), path, output)
        return
    fail_statuses = parse_fail_on(fail_on)
    fail_stress = parse_fail_on_stress(fail_on)
    if path is None and (resolve_deps or format_in):
        option = "--resolve" if resolve_deps else "--format-in"
        raise click.UsageError(
            f"{option} needs a PATH (without one, the installed distributions are audited)"
        )
    if path is not None and python:
        raise click.UsageError("--python is for auditing an environment: give no PATH")
    request = AuditRequest(
        path=path,
        target=target,
        platform=platform,
        format_in=format_in,
        resolve_deps=resolve_deps,
        python=python,
        fail_on=fail_statuses,
        fail_on_stress=fail_stress,
        fail_on_likely=not ignore_likely,
        probe_missing=probe_missing_hook if probe_missing else None,
        selection=Selection(
            extras=frozenset(extras) if extras else None,
            groups=frozenset(groups) if groups else None,
            no_dev=no_dev,
        ),
        offline=offline,
    )
    run = run_audit(
        request,
        lambda: open_verdict_source(server, db, snapshot),
        on_note=lambda note: click.echo(f"fttrack: {safe_line(note)}", err=True),
    )
    color = output_format == "table" and use_color(output)
    code = finish_audit(
        run, output_format=output_format, output=output, show_all=show_all, color=color,
        write=lambda text: click.echo(text, nl=False), say=lambda line: click.echo(line, err=True),
    )  # fmt: skip
    click.get_current_context().exit(code)


def _explain(
    requirement: str,
    target: TargetValue,
    platform: str | None,
    output_format: str,
    sources: tuple[str | None, str | None, Path | None],
    path: str | None,
    output: Path | None,
) -> None:
    """``--explain NAME[==VERSION]``: print one project's explanation
    (:func:`tracker.audit.explain.explain`) as text, or JSON with ``--format json``."""
    import json

    from tracker.audit.explain import explain, explanation_json, explanation_lines
    from tracker.verdicts.choose import asks_every_target

    if path is not None:
        raise click.UsageError("--explain explains one project: give no PATH")
    if output_format not in ("table", "json"):
        raise click.UsageError("--explain prints --format table or json")
    if asks_every_target(target):
        raise click.UsageError("--explain judges one target: --target all is for an audit")
    source = open_verdict_source(*sources)
    try:
        found = explain(
            source,
            requirement,
            target=target if target != "all" else None,
            platform=platform,
        )
    finally:
        source.close()
    if output_format == "json":
        text = json.dumps(explanation_json(found), indent=2) + "\n"
    else:
        text = "".join(safe_line(line) + "\n" for line in explanation_lines(found))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
