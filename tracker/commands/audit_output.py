"""What ``fttrack audit`` does around :func:`tracker.audit.run.run_audit`, without click:
read ``--fail-on``, decide on colour, render and write the report, say the
summary, pick the exit code. The click command and the console script's fast
path (:mod:`tracker.commands.audit_quick`) both finish an audit here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from tracker.audit.run import AuditRun
from tracker.errors import FttrackError, InputError
from tracker.models import BLOCKING_STATUSES, Status

__all__ = ["OUTPUT_FORMATS", "finish_audit", "read_fail_on", "use_color"]

OUTPUT_FORMATS = ("table", "json", "markdown", "github")


def read_fail_on(text: str | None) -> frozenset[Status]:
    """``--fail-on`` (comma-separated statuses, or ``none``) as a set of statuses;
    ValueError with the reason for anything else.

    >>> sorted(read_fail_on("crashed, gil-reenabled"))
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
            raise ValueError(f"unknown status {word!r} (known: {known}, or none)") from None
    if not chosen:
        raise ValueError("expected at least one status")
    return frozenset(chosen)


def use_color(output: Path | None) -> bool:
    """Whether the table is drawn in colour: on a terminal, unless ``NO_COLOR`` (or a file)."""
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def finish_audit(
    run: AuditRun,
    *,
    output_format: str,
    output: Path | None,
    show_all: bool,
    color: bool,
    write: Callable[[str], None],
    say: Callable[[str], None],
) -> int:
    """Render ``run`` in ``output_format`` to ``output`` (None: ``write``), ``say`` the
    summary where the report itself does not show it, and return the exit code
    (1 when something blocks, else 0).

    The report is rendered and encoded whole before any of it is written: text UTF-8
    cannot encode is a one-line :class:`~tracker.errors.FttrackError` with nothing written.
    """
    from tracker.formats import get_multi_renderer, get_renderer

    width = None
    if color:
        import shutil

        width = shutil.get_terminal_size((120, 24)).columns
    try:  # the whole report is rendered and encoded before a byte of it is written
        if run.every_target:
            render = get_multi_renderer(output_format)
            text = render(run.multi, color=color, width=width, show_all=show_all)
        else:
            render_one = get_renderer(output_format)
            text = render_one(run.report, color=color, width=width, show_all=show_all)
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise FttrackError(
            "the report holds text that cannot be written as UTF-8 (a lone surrogate: "
            "a file name that is not UTF-8?); nothing was written"
        ) from None
    if output is None:
        write(text)
    else:
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise InputError(str(output), f"cannot write: {exc.strerror or exc}") from None
    if output_format != "table" or output is not None:
        for summary in run.summary_lines():
            say(f"fttrack: {summary}")
    return 1 if run.blockers else 0
