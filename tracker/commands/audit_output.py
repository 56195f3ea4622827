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
from tracker.vocabulary import StressStatus

__all__ = ["OUTPUT_FORMATS", "finish_audit", "read_fail_on", "read_fail_on_stress", "use_color"]

#: The prefix that names a stress status in ``--fail-on`` (``threads:crashed``); a stress
#: status that is no import status (``races``) needs none.
STRESS_PREFIX = "threads:"

OUTPUT_FORMATS = ("table", "json", "markdown", "github")


def _split_fail_on(text: str) -> tuple[frozenset[Status] | None, frozenset[StressStatus]]:
    """``--fail-on``'s import statuses (None: none named, the defaults stand) and its
    stress statuses; ValueError with the reason for a word that is neither."""
    statuses: set[Status] = set()
    stress: set[StressStatus] = set()
    named_none = False
    words = [part.strip().lower() for part in text.split(",")]
    for word in filter(None, words):
        if word == "none":
            named_none = True
            continue
        if word.startswith(STRESS_PREFIX):
            try:
                stress.add(StressStatus(word.removeprefix(STRESS_PREFIX)))
            except ValueError:
                known = ", ".join(s.value for s in StressStatus)
                raise ValueError(f"unknown stress status {word!r} (known: {known})") from None
            continue
        try:
            statuses.add(Status(word))
            continue
        except ValueError:
            pass
        try:
            stress.add(StressStatus(word))
        except ValueError:
            known = ", ".join(s.value for s in Status)
            raise ValueError(
                f"unknown status {word!r} (known: {known}, or none; of the release's own "
                f"tests in threads: races, deadlocked, unsafe-tests, threads:crashed, ...)"
            ) from None
    if not statuses and not stress and not named_none:
        raise ValueError("expected at least one status")
    return (frozenset(statuses) if statuses or named_none else None), frozenset(stress)


def read_fail_on(text: str | None) -> frozenset[Status]:
    """``--fail-on``'s import statuses (comma-separated statuses, or ``none``) as a set;
    ValueError with the reason for anything else. A stress status (:func:`read_fail_on_stress`)
    leaves the import statuses as they are: the defaults, unless some are named.

    >>> sorted(read_fail_on("crashed, gil-reenabled"))
    [<Status.CRASHED: 'crashed'>, <Status.GIL_REENABLED: 'gil-reenabled'>]
    >>> read_fail_on("races") == BLOCKING_STATUSES, read_fail_on("none,races")
    (True, frozenset())
    """
    if text is None:
        return frozenset(BLOCKING_STATUSES)
    statuses, _stress = _split_fail_on(text)
    return frozenset(BLOCKING_STATUSES) if statuses is None else statuses


def read_fail_on_stress(text: str | None) -> frozenset[StressStatus]:
    """``--fail-on``'s stress statuses: what the release's own tests in threads found
    (docs/stress.md) that fails the audit too. None by default.

    ``races``, ``deadlocked``, ``unsafe-tests``, ``passed``, ``no-tests`` by name;
    ``threads:crashed`` (``crashed`` alone is the import status).

    >>> sorted(read_fail_on_stress("gil-reenabled,races,threads:crashed"))
    [<StressStatus.CRASHED: 'crashed'>, <StressStatus.RACES: 'races'>]
    >>> read_fail_on_stress(None)
    frozenset()
    """
    if text is None:
        return frozenset()
    return _split_fail_on(text)[1]


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
