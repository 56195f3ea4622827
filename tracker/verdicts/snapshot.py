"""Verdicts from a snapshot file: the shipped ``data/snapshot.json.gz``, or an export.

The file is opened lazily through :class:`tracker.archive.Archive`: listing
reads only the summaries member, and a project's history is decompressed
when that project is asked for. That keeps ``fttrack audit`` and the TUI fast
on a snapshot of thousands of projects.
"""

from __future__ import annotations

from pathlib import Path

from tracker.archive import Archive
from tracker.datafiles import snapshot_path
from tracker.documents import ProjectDocument, ProjectSummary

__all__ = ["SnapshotSource"]


class SnapshotSource:
    """Project documents and summaries from a snapshot file."""

    kind = "snapshot"

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else snapshot_path()
        self._archive: Archive | None = None

    @property
    def archive(self) -> Archive:
        """The opened snapshot (opened on first use)."""
        if self._archive is None:
            self._archive = Archive(self.path)
        return self._archive

    def project(self, name: str) -> ProjectDocument | None:
        """The document of ``name``, decompressed on first use; None if not in the snapshot."""
        return self.archive.document(name)

    def project_head(self, name: str) -> tuple[ProjectDocument, bool] | None:
        """``name`` with only its newest releases, and whether that is all of them
        (see :meth:`tracker.archive.Archive.document_head`); None if not in the snapshot."""
        return self.archive.document_head(name)

    def summaries(self) -> list[ProjectSummary]:
        """Every project's summary, from the snapshot's summaries member."""
        return self.archive.summaries()

    def names(self) -> list[str]:
        """Every project name in the snapshot, in file order."""
        return self.archive.names()

    def targets(self) -> tuple[str, ...]:
        """The snapshot's targets."""
        return self.archive.targets

    def generated(self) -> str | None:
        """When the snapshot was written (ISO time), if it says."""
        return self.archive.generated

    def probed_targets(self) -> tuple[str, ...]:
        """Targets with at least one probe verdict in the snapshot."""
        return self.archive.probed_targets()

    def describe(self) -> str:
        """``snapshot NAME (N projects, generated DATE)``: the file name only, never a
        local absolute path (reports are meant to be shared)."""
        count = len(self.archive.names())
        when = f", generated {self.archive.generated[:19]}Z" if self.archive.generated else ""
        return f"snapshot {self.path.name} ({count} projects{when})"

    def close(self) -> None:
        """Close the snapshot's file handle (a later read opens it again)."""
        if self._archive is not None:
            self._archive.close()
