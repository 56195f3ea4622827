"""How statuses look in the TUI: the colours and short labels of :mod:`tracker.vocabulary`
(the same colours as the ``table`` report)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from rich.text import Text

from tracker.models import Evidence, Status
from tracker.vocabulary import STATUS_RECORDS, colour

__all__ = [
    "evidence_text",
    "short_platform",
    "status_style",
    "status_text",
    "to_the_second",
]

_PLATFORM_PREFIXES = (
    ("manylinux_", "linux "),
    ("musllinux_", "musl "),
    ("macosx_", "mac "),
    ("win_", "win "),
)

_ARCHES = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64"}


def status_style(status: Status) -> str:
    """The rich style ``status`` is drawn in."""
    return colour(status).terminal


@functools.cache
def status_text(status: Status, *, short: bool = False, suffix: str = "") -> Text:
    """``status`` as coloured text (``short``: the grid label).

    Cached: the same status is one shared (never modified) Text everywhere.
    """
    label = STATUS_RECORDS[status].label if short else status.value
    return Text(label + suffix, style=status_style(status), no_wrap=True, end="")


def evidence_text(evidence: Evidence) -> Text:
    """The evidence a verdict stands on, dimmed unless a probe decided it."""
    return Text(evidence.value, style="bold" if evidence is Evidence.PROBE else "dim", end="")


def short_platform(platform: str) -> str:
    """A platform name short enough for a column header.

    >>> short_platform("manylinux_x86_64"), short_platform("win_arm64"), short_platform("any")
    ('linux x64', 'win arm64', 'any')
    """
    for prefix, short in _PLATFORM_PREFIXES:
        if platform.startswith(prefix):
            arch = platform[len(prefix) :]
            return short + _ARCHES.get(arch, arch)
    return platform


def to_the_second(stamp: str | None) -> str:
    """An ISO time as people read it: to the second, in UTC, no microseconds.

    A date alone stays a date; text that is not an ISO time is shown as it is.

    >>> to_the_second("2026-11-26T01:44:58.123456+00:00"), to_the_second("2026-11-26")
    ('2026-11-26 01:44:58 UTC', '2026-11-26')
    >>> to_the_second("2026-11-26T01:44:58Z"), to_the_second(None)
    ('2026-11-26 01:44:58 UTC', '')
    """
    if not stamp:
        return ""
    if len(stamp) == 10:
        return stamp
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
