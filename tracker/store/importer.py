"""Load a feed document (the shipped snapshot, an export) into the store.

Idempotent: importing the same document twice leaves the same rows. Tags
verdicts of releases whose files are not in the store are kept on the release
(``releases.tags``); probe verdicts become probe runs (history, deduplicated by
release, target, platform and time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from tracker.errors import InputError
from tracker.models import Status
from tracker.store.queries import (
    WATCH_REASONS,
    add_to_watchlist,
    ensure_project,
    parse_time,
    touch_project,
)
from tracker.store.tables import ProbeRun, Project, Release

__all__ = ["ImportResult", "import_feed"]

_STATUSES = {s.value for s in Status}


@dataclass(frozen=True)
class ImportResult:
    """How much of a feed :func:`import_feed` wrote."""

    projects: int = 0
    releases: int = 0
    probe_runs: int = 0


def _require(value: Any, kind: type, where: str, source: str) -> Any:
    if not isinstance(value, kind):
        raise InputError(source, f"{where}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def import_feed(
    document: Mapping[str, Any], *, session: Session, source: str = "feed"
) -> ImportResult:
    """Write the projects of a feed document into the store; see the module docstring.

    ``source`` names the document in error messages (a path, usually).
    """
    _require(document, Mapping, "document", source)
    if document.get("schema") != 1:
        raise InputError(source, f"schema: expected 1, got {document.get('schema')!r}")
    generated = parse_time(document.get("generated"), where=f"{source}: generated")
    fallback_time = generated or datetime(1970, 1, 1, tzinfo=UTC)
    projects = _require(document.get("projects"), list, "projects", source)
    counts = [0, 0, 0]
    for index, entry in enumerate(projects):
        where = f"projects[{index}]"
        _require(entry, Mapping, where, source)
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(source, f"{where}.name: expected a project name")
        released, probed = _import_project(entry, where, source, session, fallback_time)
        counts[0] += 1
        counts[1] += released
        counts[2] += probed
    session.flush()
    return ImportResult(*counts)


def _import_project(
    entry: Mapping[str, Any], where: str, source: str, session: Session, fallback: datetime
) -> tuple[int, int]:
    project, _ = ensure_project(
        entry["name"], session=session, display_name=entry.get("display_name")
    )
    assert project.id is not None
    if isinstance(entry.get("display_name"), str) and entry["display_name"]:
        project.display_name = entry["display_name"]
    if entry.get("classifier") is not None:
        project.classifier = str(entry["classifier"])
    touch_project(project)
    reason = entry.get("watch_reason")
    if reason is not None:
        if reason not in WATCH_REASONS:
            raise InputError(source, f"{where}.watch_reason: unknown reason {reason!r}")
        add_to_watchlist([project.name], str(reason), session=session)
    existing = {
        r.version: r
        for r in session.exec(select(Release).where(Release.project_id == project.id)).all()
    }
    releases = _require(entry.get("releases", []), list, f"{where}.releases", source)
    pending: list[tuple[Release, str, Mapping[str, Any]]] = []
    for r_index, item in enumerate(releases):
        r_where = f"{where}.releases[{r_index}]"
        _require(item, Mapping, r_where, source)
        version = item.get("version")
        if not isinstance(version, str) or not version:
            raise InputError(source, f"{r_where}.version: expected a version string")
        release = existing.get(version)
        if release is None:
            release = Release(project_id=project.id, version=version, yanked=False)
            session.add(release)
            existing[version] = release
        release.yanked = bool(item.get("yanked", False))
        uploaded = parse_time(item.get("uploaded"), where=f"{source}: {r_where}.uploaded")
        release.uploaded = uploaded or release.uploaded
        targets = _require(item.get("targets", {}), Mapping, f"{r_where}.targets", source)
        tags: dict[str, Any] = {}
        for target, verdict in targets.items():
            t_where = f"{r_where}.targets.{target}"
            _require(verdict, Mapping, t_where, source)
            status = verdict.get("status")
            if status not in _STATUSES:
                raise InputError(source, f"{t_where}.status: unknown status {status!r}")
            platforms = [str(p) for p in verdict.get("platforms") or []]
            if verdict.get("evidence") == "probe":
                tags[target] = {"status": _tags_guess(platforms), "platforms": platforms}
                pending.append((release, str(target), verdict))
            else:
                tags[target] = {"status": status, "platforms": platforms}
        release.tags = tags
    session.flush()  # one round trip for the project's new releases (their ids)
    probes = sum(
        _import_probe(release, target, verdict, session, fallback, source)
        for release, target, verdict in pending
    )
    return len(releases), probes


def _tags_guess(platforms: list[str]) -> str:
    """The tags verdict behind a probe verdict whose files the feed does not list."""
    if platforms == ["any"]:
        return Status.PURE.value
    return Status.WHEEL_ONLY.value if platforms else Status.UNKNOWN.value


def _import_probe(
    release: Release,
    target: str,
    verdict: Mapping[str, Any],
    session: Session,
    fallback: datetime,
    source: str,
) -> int:
    assert release.id is not None
    probe = verdict.get("probe") or {}
    probed_at = parse_time(verdict.get("probed_at"), where=f"{source}: probed_at") or fallback
    platform = str(probe.get("platform") or "")
    exists = session.exec(
        select(ProbeRun).where(
            ProbeRun.release_id == release.id,
            ProbeRun.target == target,
            ProbeRun.platform == platform,
            ProbeRun.probed_at == probed_at,
        )
    ).first()
    if exists is not None:
        return 0
    project = session.get(Project, release.project_id)
    assert project is not None
    session.add(
        ProbeRun(
            release_id=release.id,
            project=project.name,
            version=release.version,
            target=target,
            platform=platform,
            status=str(verdict["status"]),
            culprits=[dict(c) for c in verdict.get("culprits") or []],
            modules=[dict(m) for m in probe.get("modules") or []],
            interpreter=str(probe.get("interpreter") or ""),
            sandbox=str(probe.get("sandbox") or ""),
            timings=dict(probe.get("timings") or {}),
            stderr_tail=str(probe.get("stderr_tail") or ""),
            detail=str(probe.get("detail") or ""),
            probed_at=probed_at,
            installed=[],
        )
    )
    return 1
