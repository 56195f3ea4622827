"""Build the verdict snapshot shipped in ``data/``: crawl, probe, export.

Resumable by construction: everything lives in a work database (SQLite by
default, seeded from the current snapshot when new), a crawl skips unchanged
projects, a probe is skipped when the release already has one for the
target, and the snapshot file is rewritten (atomically) every few probes. Stop
it at any time and run it again to carry on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from tracker.archive import write_archive
from tracker.documents import ProjectSummary
from tracker.models import ProbeJob
from tracker.store.engine import Store
from tracker.wheels import DEFAULT_PLATFORM

__all__ = ["job_wheel_sizes", "write_snapshot"]


def write_snapshot(store: Store, path: Path) -> list[ProjectSummary]:
    """Write every stored project document to the snapshot at ``path`` (with its
    summaries and member index, see :mod:`tracker.archive`); return the summaries."""
    generated = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return write_archive(path, store.documents(), generated=generated)


def job_wheel_sizes(store: Store, jobs: Iterable[ProbeJob]) -> dict[ProbeJob, int]:
    """The size in bytes of the free-threaded wheel each job would install (0 if unknown)."""
    from sqlmodel import col, select

    from tracker.store.tables import File, Project, Release

    sizes: dict[ProbeJob, int] = {}
    with store.session_scope() as session:
        for job in jobs:
            query = (
                select(File)
                .join(Release, col(File.release_id) == col(Release.id))
                .join(Project, col(Release.project_id) == col(Project.id))
                .where(col(Project.name) == job.project, col(Release.version) == job.version)
            )
            best = 0
            for row in session.exec(query).all():
                if job.target in row.targets and DEFAULT_PLATFORM in row.platforms:
                    best = max(best, row.size or 0)
            sizes[job] = best
    return sizes
