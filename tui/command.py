"""``fttrack tui [LOCKFILE]``: browse the verdicts and audit a lockfile in a terminal UI.

The verdict source and target options are those of ``fttrack audit``
(:mod:`tracker.commands.options`), and the source is built by the same helper.
Nothing is read here: the app reads the source in the background, so a missing
snapshot or an unreachable server becomes a notice inside the app. The Textual
app is imported only when the command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from tracker.commands.options import target_option, verdict_source_options
from tracker.errors import SourceError
from tracker.models import Target
from tracker.wheels import PLATFORMS

__all__ = ["tui"]


@click.command(
    "tui",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Keys: / search, Tab filters, s sort, Enter open, Escape back,
a audit, o open a lockfile, e export the audit,
t probe details, b copy a badge, ? help, q quit.

\b
Examples:
  fttrack tui                              browse the shipped snapshot
  fttrack tui requirements.txt             audit it, then browse
  fttrack tui uv.lock --target 3.14t --server https://fttrack.example.org""",
)
@click.argument(
    "lockfile",
    required=False,
    type=click.Path(path_type=Path, dir_okay=True),
)
@target_option()
@click.option(
    "--platform",
    type=click.Choice(PLATFORMS),
    metavar="PLATFORM",
    help="Wheel platform the audit judges for, shown first in a project grid "
    "[default: this machine's].",
)
@verdict_source_options
@click.option(
    "--public-url",
    "--base-url",
    "public_url",
    metavar="URL",
    help="The tracker's public address, for the badge markdown (b) [default: "
    "$FTTRACK_PUBLIC_URL, else public_url in the config file, else --server unless it is a "
    "loopback address].",
)
def tui(
    lockfile: Path | None,
    target: Target | None,
    platform: str | None,
    server: str | None,
    db: str | None,
    snapshot: Path | None,
    public_url: str | None,
) -> None:
    """Browse every tracked project's verdicts and audit LOCKFILE, in the terminal.

    LOCKFILE is anything fttrack audit reads (a lockfile, a requirements file,
    a pyproject.toml, or a directory holding one). Without it the app starts
    on the project list, and the key a asks for one.
    """
    from tracker.verdicts.choose import open_verdict_source

    if lockfile is not None:  # a missing or malformed file is one line, before the screen
        from tracker.audit.run import AuditRequest, read_input

        read_input(AuditRequest(str(lockfile)))
    try:
        source = open_verdict_source(server, db, snapshot)
    except SourceError as exc:
        raise click.UsageError(str(exc)) from None

    from tui.app import FttrackApp

    app = FttrackApp(
        source,
        target=target.name if target is not None else None,
        platform=platform,
        lockfile=lockfile,
        public_url=public_url,
    )
    try:
        app.run()
    finally:
        close = getattr(source, "close", None)
        if callable(close):
            close()
