"""Messages the TUI's background workers post back to the UI thread.

Workers never touch widgets: they do the slow part (read the summaries or one
project's document, resolve an audit, write a report) and post one of these;
the screen renders it.
"""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from tracker.audit.report import AuditReport
from tracker.changes_index import ChangeIndex
from tracker.documents import ProjectDocument
from tui.rows import BrowseRow
from tui.widgets.table import Prepared

__all__ = [
    "AuditFinished",
    "ChangesLoaded",
    "DocumentLoaded",
    "ProjectsLoaded",
    "ReportExported",
    "WorkFailed",
]


class ProjectsLoaded(Message):
    """Every project of the verdict source, as browse rows built from the stored summaries."""

    bubble = False

    def __init__(self, rows: list[BrowseRow], source: str, prepared: dict[str, Prepared]) -> None:
        super().__init__()
        #: Sorted by name.
        self.rows = rows
        self.source = source
        #: The table's row objects, made in the worker.
        self.prepared = prepared


class ChangesLoaded(Message):
    """Every change the verdict source holds (the index ``fttrack changes`` reads)."""

    bubble = False

    def __init__(self, index: ChangeIndex, source: str) -> None:
        super().__init__()
        self.index = index
        self.source = source


class DocumentLoaded(Message):
    """One project's document (None: the source does not track it)."""

    bubble = False

    def __init__(self, name: str, document: ProjectDocument | None) -> None:
        super().__init__()
        self.name = name
        self.document = document


class AuditFinished(Message):
    """An audit report, resolved with the same functions as ``fttrack audit``."""

    bubble = False

    def __init__(self, report: AuditReport, note: str = "") -> None:
        super().__init__()
        self.report = report
        self.note = note


class ReportExported(Message):
    """An audit report was written to ``path`` in ``format_name``."""

    bubble = False

    def __init__(self, path: Path, format_name: str) -> None:
        super().__init__()
        self.path = path
        self.format_name = format_name


class WorkFailed(Message):
    """Background work failed; ``error`` is one line for the user."""

    bubble = False

    def __init__(self, what: str, error: str) -> None:
        super().__init__()
        self.what = what
        self.error = error
