"""Messages the TUI's background workers post back to the UI thread.

Workers never touch widgets: they do the slow part (read a feed, resolve an
audit, write a report) and post one of these; the screen renders it.
"""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from tracker.audit.report import AuditReport
from tracker.verdicts.interface import ProjectDoc
from tui.rows import BrowseRow

__all__ = [
    "AuditFinished",
    "DocumentLoaded",
    "ProjectsLoaded",
    "ReportExported",
    "WorkFailed",
]


class ProjectsLoaded(Message):
    """Every project of the verdict source, summarized into browse rows."""

    bubble = False

    def __init__(
        self, rows: list[BrowseRow], documents: dict[str, ProjectDoc], source: str
    ) -> None:
        super().__init__()
        self.rows = rows
        self.documents = documents
        self.source = source


class DocumentLoaded(Message):
    """One project's document (None: the source does not track it)."""

    bubble = False

    def __init__(self, name: str, document: ProjectDoc | None) -> None:
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
