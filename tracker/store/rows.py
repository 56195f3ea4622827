"""Load projects with their releases, files and latest probes, in bulk (read only)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.names import normalize_name
from tracker.releases import version_key
from tracker.store.tables import File, ProbeRun, Project, Release, StressRun, WatchEntry

__all__ = ["ProjectRows", "ReleaseRows", "load_projects", "probe_history", "stress_history"]


@dataclass
class ReleaseRows:
    """A release with its files and the latest probe run per target."""

    release: Release
    files: list[File] = field(default_factory=list)
    latest_probes: dict[str, ProbeRun] = field(default_factory=dict)
    #: The latest stress run per target (its own tests in threads).
    latest_stress: dict[str, StressRun] = field(default_factory=dict)


@dataclass
class ProjectRows:
    """A project with its watch reason and releases (newest first)."""

    project: Project
    watch_reason: str | None
    releases: list[ReleaseRows] = field(default_factory=list)


def _latest_probes(
    session: Session, release_ids: list[int] | None
) -> dict[int, dict[str, ProbeRun]]:
    ranked = sa.select(
        col(ProbeRun.id),
        sa.func.row_number()
        .over(
            partition_by=(col(ProbeRun.release_id), col(ProbeRun.target)),
            order_by=(col(ProbeRun.probed_at).desc(), col(ProbeRun.id).desc()),
        )
        .label("rank"),
    )
    if release_ids is not None:
        ranked = ranked.where(col(ProbeRun.release_id).in_(release_ids))
    sub = ranked.subquery()
    query = select(ProbeRun).join(sub, col(ProbeRun.id) == sub.c.id).where(sub.c.rank == 1)
    latest: dict[int, dict[str, ProbeRun]] = defaultdict(dict)
    for run in session.exec(query).all():
        latest[run.release_id][run.target] = run
    return latest


def _latest_stress(
    session: Session, release_ids: list[int] | None
) -> dict[int, dict[str, StressRun]]:
    ranked = sa.select(
        col(StressRun.id),
        sa.func.row_number()
        .over(
            partition_by=(col(StressRun.release_id), col(StressRun.target)),
            order_by=(col(StressRun.stressed_at).desc(), col(StressRun.id).desc()),
        )
        .label("rank"),
    )
    if release_ids is not None:
        ranked = ranked.where(col(StressRun.release_id).in_(release_ids))
    sub = ranked.subquery()
    query = select(StressRun).join(sub, col(StressRun.id) == sub.c.id).where(sub.c.rank == 1)
    latest: dict[int, dict[str, StressRun]] = defaultdict(dict)
    for run in session.exec(query).all():
        latest[run.release_id][run.target] = run
    return latest


def load_projects(*, session: Session, names: Iterable[str] | None = None) -> list[ProjectRows]:
    """Load projects with releases (newest first), files and latest probes, in bulk.

    ``names`` limits the load to those projects (any spelling); None loads all.
    """
    project_query = select(Project).order_by(col(Project.name))
    wanted: list[str] | None = None
    if names is not None:
        wanted = sorted({normalize_name(n) for n in names})
        project_query = project_query.where(col(Project.name).in_(wanted))
    projects = list(session.exec(project_query).all())
    if not projects:
        return []
    ids = [p.id for p in projects if p.id is not None]
    scoped = wanted is not None
    reasons_query = select(WatchEntry)
    if wanted is not None:
        reasons_query = reasons_query.where(col(WatchEntry.project).in_(wanted))
    reasons = {w.project: w.reason for w in session.exec(reasons_query).all()}

    release_query = select(Release)
    if scoped:
        release_query = release_query.where(col(Release.project_id).in_(ids))
    releases = list(session.exec(release_query).all())
    release_ids = [r.id for r in releases if r.id is not None]

    file_query = select(File).order_by(col(File.filename))
    if scoped:
        file_query = file_query.where(col(File.release_id).in_(release_ids or [-1]))
    files: dict[int, list[File]] = defaultdict(list)
    for row in session.exec(file_query).all():
        files[row.release_id].append(row)
    latest = _latest_probes(session, release_ids if scoped else None)
    stressed = _latest_stress(session, release_ids if scoped else None)

    by_project: dict[int, list[ReleaseRows]] = defaultdict(list)
    for release in releases:
        assert release.id is not None
        by_project[release.project_id].append(
            ReleaseRows(
                release,
                files.get(release.id, []),
                latest.get(release.id, {}),
                stressed.get(release.id, {}),
            )
        )
    result: list[ProjectRows] = []
    for project in projects:
        assert project.id is not None
        rows = sorted(
            by_project.get(project.id, []),
            key=lambda r: version_key(r.release.version),
            reverse=True,
        )
        result.append(ProjectRows(project, reasons.get(project.name), rows))
    return result


def probe_history(
    name: str, version: str, *, session: Session
) -> tuple[Project, Release, list[File], list[ProbeRun]] | None:
    """A release with its files and every probe run (newest first), or None if unknown.

    ``version`` matches exactly, else by PEP 440 equality (``1.0`` finds ``1.0.0``).
    """
    project = session.exec(select(Project).where(Project.name == normalize_name(name))).first()
    if project is None:
        return None
    releases = session.exec(select(Release).where(Release.project_id == project.id)).all()
    release = next((r for r in releases if r.version == version), None)
    if release is None:
        key = version_key(version)
        release = next((r for r in releases if key[0] and version_key(r.version) == key), None)
    if release is None:
        return None
    files = list(
        session.exec(
            select(File).where(File.release_id == release.id).order_by(col(File.filename))
        ).all()
    )
    runs = list(
        session.exec(
            select(ProbeRun)
            .where(ProbeRun.release_id == release.id)
            .order_by(col(ProbeRun.probed_at).desc(), col(ProbeRun.id).desc())
        ).all()
    )
    return project, release, files, runs


def stress_history(release_id: int, *, session: Session) -> list[StressRun]:
    """Every stress run of a release (all targets), newest first."""
    return list(
        session.exec(
            select(StressRun)
            .where(StressRun.release_id == release_id)
            .order_by(col(StressRun.stressed_at).desc(), col(StressRun.id).desc())
        ).all()
    )
