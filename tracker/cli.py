"""The ``fttrack`` command line.

Thin by design: each subcommand lives in its own module and is imported only
when it runs, so ``fttrack audit`` never pays for the web framework, the ORM or
the TUI. Every :class:`~tracker.errors.FttrackError` becomes one line on
stderr and exit code 2 (never a traceback), redacted and with its control
characters shown as escapes (:func:`tracker.redact.safe_line`): a message quoting
an input can start no second line (in CI, a workflow command).
"""

from __future__ import annotations

import functools
import gc
import importlib
import importlib.util
import sys
from typing import TYPE_CHECKING, Any

from tracker import __version__
from tracker.collector import paused_collector
from tracker.errors import FttrackError
from tracker.redact import safe_line

if TYPE_CHECKING:
    import click

__all__ = ["main"]

#: subcommand name -> "module:attribute" of its click command, in help order.
COMMANDS: dict[str, str] = {
    "audit": "tracker.commands.audit:audit",
    "probe": "tracker.commands.probe:probe",
    "stress": "tracker.commands.stress:stress",
    "python": "tracker.commands.python:python_group",
    "crawl": "tracker.commands.crawl:crawl",
    "serve": "tracker.commands.serve:serve",
    "worker": "tracker.commands.worker:worker",
    "export": "tracker.commands.export:export",
    "status": "tracker.commands.status:status",
    "changes": "tracker.commands.changes:changes",
    "snapshot": "tracker.commands.snapshot:snapshot_group",
    "tui": "tui.command:tui",
}

_SHORT_HELP: dict[str, str] = {
    "audit": "Audit a lockfile or requirements file for free-threading blockers.",
    "probe": "Install a package into a free-threaded interpreter and import it in a sandbox.",
    "stress": "Run a release's own tests in many threads without the GIL, in a sandbox.",
    "python": "List or install free-threaded interpreters (3.13t, 3.14t, 3.15t).",
    "crawl": "Fetch projects from the index and classify their files.",
    "serve": "Run the tracker: scheduled crawls, probes and the JSON API.",
    "worker": "Run probe jobs from a PostgreSQL queue (scale-out).",
    "export": "Write the feed, badges and a static HTML page to a directory.",
    "status": "Show what the verdict source holds and what this machine can probe.",
    "changes": "Show what changed between consecutive releases (new wheels, regressions...).",
    "snapshot": "Build the verdict snapshot shipped in data/.",
    "tui": "Browse the tracker and audit a lockfile in a terminal UI.",
}


_EPILOG = """\b
Examples:
  fttrack audit requirements.txt           which dependencies block free-threading?
  fttrack audit uv.lock --target 3.14t --format json
  fttrack python install 3.14t             get a free-threaded interpreter
  fttrack probe numpy --target 3.14t       import it in a sandbox and judge it
  fttrack serve --port 8000                run the tracker and its JSON API

Run 'fttrack COMMAND --help' for each command's options."""


@functools.cache
def _group() -> click.Group:
    """The ``fttrack`` click group (click is imported here, not when the module is)."""
    import click

    class LazyGroup(click.Group):
        """A click group that imports a subcommand's module only when it is invoked."""

        def list_commands(self, ctx: click.Context) -> list[str]:
            return [name for name in COMMANDS if self._available(name)]

        @staticmethod
        def _available(name: str) -> bool:
            module_name = COMMANDS[name].split(":")[0]
            return importlib.util.find_spec(module_name) is not None

        def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
            target = COMMANDS.get(cmd_name)
            if target is None or not self._available(cmd_name):
                return None
            module_name, attribute = target.split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command)
            return command

        def resolve_command(
            self, ctx: click.Context, args: list[str]
        ) -> tuple[str | None, click.Command | None, list[str]]:
            """As click's, with the nearest command named for a mistyped one (``audti``)."""
            name = args[0] if args else ""
            if name and not name.startswith("-") and self.get_command(ctx, name) is None:
                import difflib

                near = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
                if near:
                    ctx.fail(f"No such command '{name}'. Did you mean '{near[0]}'?")
            return super().resolve_command(ctx, args)

        def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
            rows = [(name, _SHORT_HELP[name]) for name in self.list_commands(ctx)]
            if rows:
                with formatter.section("Commands"):
                    formatter.write_dl(rows)

    @click.group(
        cls=LazyGroup,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
        epilog=_EPILOG,
    )
    @click.version_option(__version__, prog_name="fttrack")
    def cli() -> None:
        """fttrack: can we drop the GIL yet?

        Verdicts on free-threaded CPython (3.13t, 3.14t, 3.15t) for Python packages,
        proven by importing every extension module of a package in a sandboxed,
        real free-threaded interpreter, and an auditor for your project's lockfile.
        """

    return cli


def __getattr__(name: str) -> Any:
    """``tracker.cli.cli``: the click group, built on first use."""
    if name == "cli":
        return _group()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _import_quick_audit() -> Any:
    """The audit fast path's module, with msgspec bound to ``typing``.

    When typing_extensions is installed, msgspec takes ``get_type_hints``,
    ``Required`` and ``NotRequired`` from it (for Pythons older than 3.11), and
    importing typing_extensions loads inspect, ast and dis (what that costs:
    docs/benchmarks.md, "The audit"). Python 3.11's ``typing`` has all three, so
    typing_extensions is hidden while msgspec is first imported; it stays
    importable afterwards.
    """
    hide = "msgspec" not in sys.modules and "typing_extensions" not in sys.modules
    if hide:
        sys.modules["typing_extensions"] = None  # type: ignore[assignment]  # import fails
    try:
        return importlib.import_module("tracker.commands.audit_quick")
    finally:
        if hide and "typing_extensions" in sys.modules and sys.modules["typing_extensions"] is None:
            del sys.modules["typing_extensions"]


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point: run the CLI, turning fttrack errors into one line.

    ``fttrack audit PATH`` with everyday options takes a fast path that does not
    import click (:mod:`tracker.commands.audit_quick`); it hands anything else back.
    """
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["audit"]:
        # Importing the audit's modules creates many objects and no cycle: the
        # collections they would trigger are skipped (the fast path then pauses
        # the collector for its run too, see tracker.commands.audit_quick).
        with paused_collector():
            quick = _import_quick_audit()
        code = quick.quick_audit(list(args[1:]))
        if code is not None:
            if argv is None:
                # The console script exits now: the collection the interpreter runs on
                # the way out (over every object the run made) would only free memory
                # the process gives back anyway.
                gc.freeze()
            return code
    import click

    try:
        return _group().main(args=argv, prog_name="fttrack", standalone_mode=False)
    except FttrackError as exc:
        click.echo(click.style("error: ", fg="red", bold=True) + safe_line(str(exc)), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        line = _database_error_line(exc)
        if line is None:
            raise
        click.echo(click.style("error: ", fg="red", bold=True) + safe_line(line), err=True)
        sys.exit(2)


def _database_error_line(exc: Exception) -> str | None:
    """One line for a database error no command caught (a damaged file, a lost server),
    else None. SQLAlchemy is only looked at when a command loaded it."""
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None or not isinstance(exc, errors.SQLAlchemyError):
        return None
    from tracker.store.damaged import damaged_database_words

    words = damaged_database_words(exc)
    if words is not None:
        return f"the database is damaged: {words}"
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip()
    return f"database error: {text.splitlines()[0] if text else type(inner).__name__}"
