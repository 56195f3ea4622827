"""``fttrack python list`` and ``fttrack python install``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from tracker.commands.options import parse_target
from tracker.config import load_settings

__all__ = ["python_group"]


@click.group("python")
def python_group() -> None:
    """List or install free-threaded interpreters.

    \b
    Examples:
      fttrack python list
      fttrack python list --json
      fttrack python install 3.14t
      fttrack python install 3.14t --shared
    """


@python_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(as_json: bool) -> None:
    """Show every verified free-threaded interpreter fttrack can use.

    Searched: FTTRACK_PYTHONS, fttrack's build cache, uv-managed Pythons and
    python3.13t/python3.14t/python3.15t on PATH. Each is run once to check that
    it is a free-threaded build whose GIL is disabled at start.
    """
    from tracker.pythons.discover import find_interpreters

    interpreters = find_interpreters(load_settings())
    if as_json:
        click.echo(json.dumps([i.to_dict() for i in interpreters], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not interpreters:
        console.print(
            "[yellow]no free-threaded interpreter found[/]: run 'fttrack python install 3.14t'"
        )
        return
    table = Table("target", "version", "source", "path")
    for interpreter in interpreters:
        table.add_row(
            f"[bold]{interpreter.target.name}[/]",
            interpreter.version,
            interpreter.source,
            str(interpreter.path),
        )
    console.print(table)


@python_group.command("install")
@click.argument("target", callback=parse_target, metavar="TARGET")
@click.option("--rebuild", is_flag=True, help="Build from source even if one is installed.")
@click.option(
    "--tarball",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Build from this local CPython source tarball instead of downloading one.",
)
@click.option("--sha256", help="Expected sha256 of --tarball.")
@click.option(
    "--shared",
    is_flag=True,
    help="Build with a shared libpython (--enable-shared), as uv's interpreters are linked.",
)
def install_command(
    target: object, rebuild: bool, tarball: Path | None, sha256: str | None, shared: bool
) -> None:
    """Install a free-threaded interpreter for TARGET (3.13t, 3.14t, 3.15t).

    Idempotent: when a verified interpreter for TARGET exists, this returns at
    once. Otherwise it tries 'uv python install TARGET', and where uv cannot
    download it builds CPython from the source tarball (configure
    --disable-gil, about 3 minutes on 2 cores) into fttrack's cache, after
    checking the tarball's sha256 against the archive's index.

    --shared builds (never downloads) a second interpreter for TARGET with
    libpython as a shared library and an rpath to its own lib directory, into
    cpython-VERSION-freethreaded-shared: the layout of the interpreters 'uv
    python install' gives on Linux, to test the probe against. It is listed as
    fttrack-build-shared, after every other interpreter, so it is not TARGET's
    default while another one exists (name it in FTTRACK_PYTHONS to use it).
    """
    from rich.console import Console

    from tracker.models import Target
    from tracker.pythons.install import install_interpreter

    assert isinstance(target, Target)
    console = Console(stderr=True)
    started = time.monotonic()
    with console.status(f"installing {target.name}") as status:

        def progress(message: str) -> None:
            status.update(f"{target.name}: {message}")

        interpreter, new = install_interpreter(
            target,
            load_settings(),
            progress=progress,
            force_build=rebuild,
            tarball=tarball,
            sha256=sha256,
            shared=shared,
        )
    verb = "installed" if new else "already installed"
    console.print(
        f"[green]{verb}[/] {target.name}: CPython {interpreter.version} at {interpreter.path} "
        f"({interpreter.source}, {time.monotonic() - started:.1f}s)"
    )
