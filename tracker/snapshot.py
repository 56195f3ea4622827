"""Build the verdict snapshot shipped in ``data/``: crawl, probe, export.

Resumable by construction: everything lives in a work database (SQLite by
default, seeded from the current snapshot when new), a crawl skips unchanged
projects, a probe is skipped when the release already has one for the
target, and the snapshot file is rewritten (atomically) every few probes. Stop
it at any time and run it again to carry on.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tracker.crawl import ProbeJob
from tracker.store.engine import Store
from tracker.wheels import DEFAULT_PLATFORM

__all__ = ["job_wheel_sizes", "project_requires", "write_feed_members", "write_snapshot"]


def write_snapshot(store: Store, path: Path) -> dict[str, Any]:
    """Write the store's feed document to ``path`` and its member index; return the feed.

    The file is ordinary gzip JSON (``zcat`` gives the feed document), written
    as one gzip member per project plus a header and a trailer member. The
    index beside it (``snapshot.index.json``) records each member's offset, so
    the auditor decompresses only the projects it asks for. Both files are
    replaced atomically, the index last: a reader never sees an index that
    does not match its snapshot (a mismatch falls back to a full read).
    """
    feed = store.feed()
    write_feed_members(feed, path)
    return feed


def write_feed_members(feed: dict[str, Any], path: Path) -> None:
    """Write ``feed`` as a multi-member gzip file at ``path`` with its member index."""
    from tracker.verdicts.snapshot import member_index_path

    head = {key: value for key, value in feed.items() if key != "projects"}
    header = json.dumps(head, separators=(",", ":"))[:-1] + ',"projects":['
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    members: dict[str, list[int]] = {}
    with partial.open("wb") as handle:

        def member(text: str) -> list[int]:
            start = handle.tell()
            handle.write(gzip.compress(text.encode(), compresslevel=9, mtime=0))
            return [start, handle.tell() - start]

        header_at = member(header)
        for number, project in enumerate(feed.get("projects", [])):
            text = json.dumps(project, separators=(",", ":"))
            members[project["name"]] = member(("," if number else "") + text)
        member("]}")
        size = handle.tell()
    index = {"schema": 1, "size": size, "header": header_at, "projects": members}
    index_path = member_index_path(path)
    index_partial = index_path.with_name(index_path.name + ".partial")
    index_partial.write_text(json.dumps(index, separators=(",", ":")))
    os.replace(partial, path)
    os.replace(index_partial, index_path)


def project_requires(store: Store) -> dict[str, list[str]]:
    """Every project's dependency names, as the last crawl read them."""
    from sqlmodel import select

    from tracker.store.tables import Project

    with store.session_scope() as session:
        return {p.name: list(p.requires or []) for p in session.exec(select(Project)).all()}


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
