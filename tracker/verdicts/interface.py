"""The interface every verdict source implements.

A verdict source answers two questions: *what does the tracker know about
project NAME?* (its :class:`~tracker.documents.ProjectDocument`: every release
with per-target verdicts, or ``None`` when the project is not tracked), and
*what does it know about every project, in one line each?* (the
:class:`~tracker.documents.ProjectSummary` list, read without any history).
Everything else (which release, which target, which platform, which version
fixes it) is worked out from those typed documents by
:mod:`tracker.documents` and :mod:`tracker.audit.resolve`.

Implementations: :mod:`~tracker.verdicts.snapshot` (the shipped snapshot
file), :mod:`~tracker.verdicts.database` (fttrack's own database),
:mod:`~tracker.verdicts.remote` (a fttrack server's JSON API).

Raise :class:`tracker.errors.SourceError` (one line, no traceback) when the
source itself is unusable; an unknown project is ``None``, not an error.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from tracker.documents import ProjectDocument, ProjectSummary

__all__ = ["HeadSource", "VerdictSource"]


@runtime_checkable
class VerdictSource(Protocol):
    """Where project documents and summaries come from: a snapshot, a database, a server."""

    #: What the source is, in a word for reports ("not tracked by the snapshot"):
    #: ``snapshot``, ``database`` or ``server``.
    kind: str

    def project(self, name: str) -> ProjectDocument | None:
        """The document of project ``name`` (normalized), or None if not tracked."""
        ...

    def summaries(self) -> list[ProjectSummary]:
        """The summary of every tracked project (no release history is read)."""
        ...

    def targets(self) -> tuple[str, ...]:
        """Targets this source has verdicts for, e.g. ``("3.13t", "3.14t", "3.15t")``."""
        ...

    def probed_targets(self) -> tuple[str, ...]:
        """Targets on which the source holds at least one probe verdict."""
        ...

    def describe(self) -> str:
        """One line for status output and reports: what this source is and how fresh."""
        ...

    def close(self) -> None:
        """Release what the source holds open (files, connections, HTTP pools)."""
        ...


@runtime_checkable
class HeadSource(Protocol):
    """A verdict source that can also give a project's newest releases alone (the
    snapshot: see :meth:`tracker.archive.Archive.document_head`), for readers such as
    the audit that mostly need recent releases."""

    def project_head(self, name: str) -> tuple[ProjectDocument, bool] | None:
        """Project ``name`` with its newest releases and its summary, and whether that
        is its whole history; None if not tracked."""
        ...
