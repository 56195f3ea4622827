"""The interface of an output format.

A format is a function that turns an :class:`~tracker.audit.report.AuditReport`
into text. ``color`` asks for terminal colours (only ``table`` uses it) and
``width`` fixes the terminal width (None: detect). ``show_all`` lists every
dependency where a format otherwise shows only what needs attention.
"""

from __future__ import annotations

from typing import Protocol

from tracker.audit.report import AuditReport, MultiTargetReport

__all__ = ["MultiRenderer", "Renderer"]


class Renderer(Protocol):
    """``render(report, *, color=False, width=None, show_all=False) -> str``."""

    def __call__(
        self,
        report: AuditReport,
        *,
        color: bool = False,
        width: int | None = None,
        show_all: bool = False,
    ) -> str:
        """Render ``report`` as text (ending with a newline)."""
        ...


class MultiRenderer(Protocol):
    """``render_targets(multi, *, color=False, width=None, show_all=False) -> str``:
    a ``--target all`` report, one status column (or section) per target."""

    def __call__(
        self,
        multi: MultiTargetReport,
        *,
        color: bool = False,
        width: int | None = None,
        show_all: bool = False,
    ) -> str:
        """Render ``multi`` as text (ending with a newline)."""
        ...
