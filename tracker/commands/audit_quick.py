"""``fttrack audit``'s common invocations without click: the console script's fast path.

``fttrack audit PATH`` with the everyday options (``--target T``, ``--format``,
``--platform``, ``--snapshot``, ``--format-in``, ``--fail-on``, ``--all``,
``--ignore-likely``, ``--output``) against the snapshot is most of what CI runs.
:func:`quick_audit` reads such a command line itself and runs the audit the way
:mod:`tracker.commands.audit` does, saying the same on stdout and stderr and
returning the same exit code, without importing click (what that saves:
docs/benchmarks.md). Anything else (``--help``, ``--server``, ``--db``,
``--resolve``, ``--python``, ``--target all``, ``--probe-missing``, no PATH, an
option it does not know or a value the command would refuse, a terminal that
click would treat specially) makes it return None before it has done anything,
and the click command runs instead.
"""

from __future__ import annotations

import codecs
import errno
import os
import sys
from pathlib import Path

from tracker.collector import paused_collector
from tracker.commands.audit_output import (
    OUTPUT_FORMATS,
    finish_audit,
    read_fail_on,
    read_fail_on_stress,
    use_color,
)
from tracker.errors import FttrackError
from tracker.models import Status, get_target
from tracker.redact import safe_line

__all__ = ["quick_audit"]

#: Options taking a value -> the name they are kept under.
_VALUED = {
    "--target": "target",
    "--platform": "platform",
    "--format": "format",
    "--fail-on": "fail_on",
    "--snapshot": "snapshot",
    "--format-in": "format_in",
    "--output": "output",
    "-o": "output",
}
_FLAGS = {"--all": "show_all", "--ignore-likely": "ignore_likely"}


def _parse(args: list[str]) -> dict[str, str] | None:
    """The options and PATH of ``args``, or None when the command line is not one
    this fast path takes (click then reads it, and explains any mistake)."""
    found: dict[str, str] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg.startswith("--") and "=" in arg:
            arg, value = arg.split("=", 1)
            key = _VALUED.get(arg)
            if key is None or key in found:
                return None
            found[key] = value
        elif arg in _VALUED:
            key = _VALUED[arg]
            if key in found or index >= len(args):
                return None
            value = args[index]
            if value.startswith("-") and value != "-":
                return None  # an option where its value should be: click decides
            found[key] = value
            index += 1
        elif arg in _FLAGS:
            if _FLAGS[arg] in found:
                return None
            found[_FLAGS[arg]] = ""
        elif arg == "-" or not arg.startswith("-"):
            if "path" in found:
                return None
            found["path"] = arg
        else:
            return None
    return found if "path" in found else None


def _fail_on(text: str | None) -> frozenset[Status] | None:
    """``--fail-on`` as the command reads it, or None where it refuses it (click then says why)."""
    try:
        if read_fail_on_stress(text):  # the click command reads stress statuses
            return None
        return read_fail_on(text)
    except ValueError:
        return None


def _usable_path(value: str | None) -> bool:
    """What ``click.Path(dir_okay=False)`` accepts without a message (an existing file
    must be readable: click checks that too)."""
    if value is None:
        return True
    if value == "" or os.path.isdir(value):
        return False
    return not os.path.exists(value) or os.access(value, os.R_OK)


def _is_utf8(stream: object) -> bool:
    encoding = getattr(stream, "encoding", None)
    try:
        return bool(encoding) and codecs.lookup(str(encoding)).name == "utf-8"
    except LookupError:
        return False


def _say(text: str, *, err: bool = False) -> None:
    """``click.echo(text, err=err)``, for streams click would write to as they are."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def quick_audit(args: list[str]) -> int | None:
    """Run ``fttrack audit ARGS`` without click and return its exit code, or None (having
    done nothing) when the click command has to run it."""
    options = _parse(args)
    if options is None or os.name != "posix":
        return None
    output_format = options.get("format", "table")
    fail_on = _fail_on(options.get("fail_on"))
    target = options.get("target")
    if output_format not in OUTPUT_FORMATS or fail_on is None:
        return None
    if target is not None:
        try:
            get_target(target)
        except ValueError:
            return None
    platform = options.get("platform")
    format_in = options.get("format_in")
    if platform is not None or format_in is not None:
        from tracker.audit.sources import FORMATS
        from tracker.platforms import PLATFORMS

        if (platform is not None and platform not in PLATFORMS) or (
            format_in is not None and format_in not in FORMATS
        ):
            return None
    if not (_usable_path(options.get("snapshot")) and _usable_path(options.get("output"))):
        return None
    output = Path(options["output"]) if "output" in options else None
    color = output_format == "table" and use_color(output)
    if (color and not sys.stdout.isatty()) or not (_is_utf8(sys.stdout) and _is_utf8(sys.stderr)):
        return None  # click.echo would strip the colours, or re-encode
    # A short-lived command whose objects (modules, the parsed lock, documents) are
    # freed by reference counting: the collector is paused for the run.
    try:
        with paused_collector():
            return _audit(options, output_format, fail_on, output, color)
    except FttrackError as exc:
        _error(exc)
    except KeyboardInterrupt:
        _say("", err=True)
        _say("aborted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - as click does: no second error
        sys.exit(1)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            sys.exit(1)
        raise
    return None  # pragma: no cover - _error exits


def _error(exc: FttrackError) -> None:
    import click

    click.echo(click.style("error: ", fg="red", bold=True) + safe_line(str(exc)), err=True)
    sys.exit(exc.exit_code)


def _audit(
    options: dict[str, str],
    output_format: str,
    fail_on: frozenset[Status],
    output: Path | None,
    color: bool,
) -> int:
    from tracker.audit.run import AuditRequest, run_audit
    from tracker.verdicts.choose import open_verdict_source

    snapshot = options.get("snapshot")
    request = AuditRequest(
        path=options["path"],
        target=options.get("target"),
        platform=options.get("platform"),
        format_in=options.get("format_in"),
        fail_on=fail_on,
        fail_on_likely="ignore_likely" not in options,
    )
    run = run_audit(
        request,
        lambda: open_verdict_source(None, None, Path(snapshot) if snapshot is not None else None),
        on_note=lambda note: _say(f"fttrack: {safe_line(note)}", err=True),
    )
    return finish_audit(
        run, output_format=output_format, output=output, show_all="show_all" in options,
        color=color, write=_write, say=lambda line: _say(line, err=True),
    )  # fmt: skip


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()
