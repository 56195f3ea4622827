"""``fttrack probe``: judge one package by importing it in a sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tracker.commands.options import NEWEST_TARGET, PROBE_TARGET_HELP, parse_target, release_request
from tracker.models import ModuleOutcome, ProbeResult, Status, to_jsonable
from tracker.vocabulary import colour

__all__ = ["probe"]

OUTCOME_STYLE = {
    ModuleOutcome.OK: "green",
    ModuleOutcome.GIL_REENABLED: "red",
    ModuleOutcome.IMPORT_FAILED: "magenta",
    ModuleOutcome.CRASHED: "magenta",
    ModuleOutcome.TIMED_OUT: "magenta",
    ModuleOutcome.NOT_REACHED: "dim",
}


@click.command("probe")
@click.argument("requirement", required=False, metavar="[NAME[==VERSION]]")
@click.option(
    "--target",
    "-t",
    default=NEWEST_TARGET,
    callback=parse_target,
    help=PROBE_TARGET_HELP,
)
@click.option(
    "--wheel",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Probe this local wheel instead of a project from the index (offline).",
)
@click.option(
    "--find-links",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Directory of wheels for dependencies (repeatable); --wheel's own directory is added.",
)
@click.option(
    "--index-url", help="Simple-API index URL (default: fttrack's, pip's or uv's configured index)."
)
@click.option(
    "--offline", is_flag=True, help="Do not use any index: only --wheel and --find-links."
)
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option(
    "--sandbox",
    "sandbox_level",
    type=click.Choice(["bwrap", "unshare", "none"]),
    help="Force a sandbox level (default: the strongest available).",
)
@click.option(
    "--unsafe-no-sandbox",
    is_flag=True,
    help="Allow running the package's code WITHOUT isolation when no sandbox works.",
)
@click.option(
    "--timeout", type=float, help="Seconds one import may go without progress (default 60)."
)
def probe(
    requirement: str | None,
    target: object,
    wheel: Path | None,
    find_links: tuple[Path, ...],
    index_url: str | None,
    offline: bool,
    as_json: bool,
    sandbox_level: str | None,
    unsafe_no_sandbox: bool,
    timeout: float | None,
) -> None:
    """Install a package into a real free-threaded interpreter and import it in a sandbox.

    Every extension module the package ships is imported (after its top-level
    packages) with PYTHON_GIL unset; each module that re-enables the GIL is
    named, with the distribution that owns it. A crash, hang or import error
    is pinned on its module and the others are still judged. Only wheels are
    installed: no package code runs outside the sandbox.

    Exit code 0 when the probe ran, whatever the verdict; 2 when it could not.

    \b
    Examples:
      fttrack probe numpy --target 3.14t
      fttrack probe 'numpy==2.4.6' --target 3.13t --json
      fttrack probe --wheel dist/mypkg-1.0-cp314-cp314t-linux_x86_64.whl --target 3.14t
    """
    from rich.console import Console

    from tracker.config import load_settings
    from tracker.errors import ProbeError
    from tracker.models import Target
    from tracker.probe import Limits
    from tracker.probe import probe as run

    assert isinstance(target, Target)
    settings = load_settings()
    request = release_request(requirement, wheel, find_links, index_url, offline, settings)
    idle = timeout or settings.probe_timeout
    console = Console(stderr=True)
    with console.status(f"probing {requirement or wheel} on {target.name}") as status:
        result = run(
            request, target, settings, sandbox_level=sandbox_level,
            allow_unsafe=unsafe_no_sandbox, limits=Limits(wall_seconds=idle * 4, idle_seconds=idle),
            progress=lambda message: status.update(f"{target.name}: {message}"),
        )  # fmt: skip
    if not isinstance(result, ProbeResult):
        raise ProbeError("probe returned no result")
    if as_json:
        click.echo(json.dumps(to_jsonable(result) | {"evidence": "probe"}, indent=2))
    else:
        print_result(result)


def print_result(result: ProbeResult) -> None:
    """A readable summary of one probe on stdout."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    style = colour(result.status).terminal
    console.print(
        f"[bold]{result.project} {result.version}[/] on [bold]{result.target}[/] "
        f"({result.platform}, CPython {result.interpreter}, sandbox {result.sandbox}): "
        f"[{style}]{result.status}[/]"
    )
    if result.detail:  # why it failed to install, or the notes on what the probe did
        console.print(f"  {escape(result.detail)}")
    for culprit in result.culprits:
        console.print(
            f"  [red]GIL re-enabled by[/] {escape(culprit.module)} "
            f"[dim](from {escape(culprit.owner or '?')})[/]"
        )
    if result.modules:
        table = Table("module", "outcome", "seconds", "detail", box=None, pad_edge=False)
        for module in result.modules:
            table.add_row(
                module.name,
                f"[{OUTCOME_STYLE[module.outcome]}]{module.outcome}[/]",
                f"{module.seconds:.3f}",
                escape(module.detail),
            )
        console.print(table)
    elif result.status is Status.READY:
        console.print("  no modules to import (pure Python package)")
    timings = ", ".join(
        f"{k} {v:.2f}s" for k, v in result.timings.items() if ":" not in k and k != "processes"
    )
    processes = int(result.timings.get("processes", 0))
    console.print(
        f"[dim]{timings}" + (f", {processes} sandboxed process(es)" if processes else "") + "[/]"
    )
