"""Load a full dump (the shipped snapshot, an export) into the store.

Idempotent: importing the same document twice leaves the same rows. Tags
verdicts of releases whose files are not in the store are kept on the release
(``releases.tags``); probe verdicts become probe runs (history, deduplicated by
release, target, platform and time), and so do stress results (stress runs).
The stored documents and summaries of the imported projects are rebuilt from
the rows at the end, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlmodel import Session, select

from tracker.documents import ProjectDocument, TargetVerdict
from tracker.errors import InputError
from tracker.models import Evidence, Status
from tracker.store.document_rows import refresh_documents
from tracker.store.queries import (
    WATCH_REASONS,
    add_to_watchlist,
    ensure_project,
    parse_time,
    run_stored,
    touch_project,
)
from tracker.store.tables import ProbeRun, Project, Release, StressRun

__all__ = ["ImportResult", "import_feed"]


@dataclass(frozen=True)
class ImportResult:
    """How much of a feed :func:`import_feed` wrote."""

    projects: int = 0
    releases: int = 0
    probe_runs: int = 0


def import_feed(
    documents: Iterable[ProjectDocument],
    *,
    session: Session,
    generated: str | None = None,
    source: str = "feed",
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Write project documents (a full dump, read one at a time) into the store;
    see the module docstring.

    ``generated`` is the dump's time (probes without a time get it); ``source``
    names the dump in error messages (a path, usually); ``progress(done)`` is
    called after each project.
    """
    when = parse_time(generated, where=f"{source}: generated")
    fallback_time = when or datetime(1970, 1, 1, tzinfo=UTC)
    counts = [0, 0, 0]
    names: list[str] = []
    for index, document in enumerate(documents):
        where = f"projects[{index}]"
        if not document.name.strip():
            raise InputError(source, f"{where}.name: expected a project name")
        released, probed, name = _import_project(document, where, source, session, fallback_time)
        names.append(name)
        counts[0] += 1
        counts[1] += released
        counts[2] += probed
        if progress is not None:
            progress(index + 1)
    session.flush()
    refresh_documents(names, session=session)
    return ImportResult(*counts)


def _import_project(
    document: ProjectDocument, where: str, source: str, session: Session, fallback: datetime
) -> tuple[int, int, str]:
    project, _ = ensure_project(
        document.name, session=session, display_name=document.display_name or None
    )
    assert project.id is not None
    if document.display_name:
        project.display_name = document.display_name
    if document.classifier is not None:
        project.classifier = document.classifier
    touch_project(project)
    reason = document.watch_reason
    if reason is not None:
        if reason not in WATCH_REASONS:
            raise InputError(source, f"{where}.watch_reason: unknown reason {reason!r}")
        add_to_watchlist([project.name], reason, session=session, refresh=False)
    existing = {
        r.version: r
        for r in session.exec(select(Release).where(Release.project_id == project.id)).all()
    }
    pending: list[tuple[Release, str, TargetVerdict]] = []
    for r_index, item in enumerate(document.releases):
        if not item.version:
            raise InputError(source, f"{where}.releases[{r_index}].version: expected a version")
        release = existing.get(item.version)
        if release is None:
            release = Release(project_id=project.id, version=item.version, yanked=False)
            session.add(release)
            existing[item.version] = release
        release.yanked = item.yanked
        if item.classifier is not None:
            release.classifier = item.classifier
        uploaded = parse_time(item.uploaded, where=f"{source}: {where}.releases[{r_index}]")
        release.uploaded = uploaded or release.uploaded
        tags: dict[str, Any] = {}
        for target, verdict in item.targets.items():
            platforms = list(verdict.platforms)
            if verdict.evidence is Evidence.PROBE:
                tags[target] = {"status": _tags_guess(platforms), "platforms": platforms}
                pending.append((release, target, verdict))
            elif verdict.evidence is Evidence.INFERRED:
                tags[target] = {"status": Status.WHEEL_ONLY.value, "platforms": platforms}
            else:
                tags[target] = {"status": verdict.status.value, "platforms": platforms}
        release.tags = tags
    session.flush()  # one round trip for the project's new releases (their ids)
    probes = sum(
        _import_probe(release, target, verdict, session, fallback, source)
        for release, target, verdict in pending
    )
    for r_index, item in enumerate(document.releases):
        for target, verdict in item.targets.items():
            if verdict.stress is not None:
                where_stress = f"{source}: {where}.releases[{r_index}].{target}.stress"
                _import_stress(existing[item.version], target, verdict, session, fallback,
                               where_stress)  # fmt: skip
    return len(document.releases), probes, project.name


def _tags_guess(platforms: list[str]) -> str:
    """The tags verdict behind a probe verdict whose files the feed does not list."""
    if platforms == ["any"]:
        return Status.PURE.value
    return Status.WHEEL_ONLY.value if platforms else Status.UNKNOWN.value


def _import_probe(
    release: Release,
    target: str,
    verdict: TargetVerdict,
    session: Session,
    fallback: datetime,
    source: str,
) -> int:
    assert release.id is not None
    probe = verdict.probe
    probed_at = parse_time(verdict.probed_at, where=f"{source}: probed_at") or fallback
    platform = probe.platform if probe is not None else ""
    if run_stored(release, target, platform, probed_at, stress=False, session=session):
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
            status=verdict.status.value,
            culprits=[{"module": c.module, "owner": c.owner} for c in verdict.culprits],
            modules=[
                {
                    "name": m.name,
                    "outcome": m.outcome,
                    "detail": m.detail,
                    "owner": m.owner,
                    **({"optional": True} if m.optional else {}),
                }
                for m in (probe.modules if probe is not None else [])
            ],
            interpreter=probe.interpreter if probe is not None else "",
            sandbox=probe.sandbox if probe is not None else "",
            timings=dict(probe.timings) if probe is not None else {},
            stderr_tail=probe.stderr_tail if probe is not None else "",
            detail=probe.detail if probe is not None else "",
            probed_at=probed_at,
            installed=[],
        )
    )
    return 1


def _import_stress(
    release: Release,
    target: str,
    verdict: TargetVerdict,
    session: Session,
    fallback: datetime,
    where: str,
) -> int:
    """The stress result of ``verdict`` as a stress run (once per release, target,
    platform and time); the document carries only its block."""
    assert release.id is not None and verdict.stress is not None
    block = verdict.stress
    stressed_at = parse_time(block.stressed_at, where=where) or fallback
    if run_stored(release, target, block.platform, stressed_at, stress=True, session=session):
        return 0
    project = session.get(Project, release.project_id)
    assert project is not None
    session.add(
        StressRun(
            release_id=release.id,
            project=project.name,
            version=release.version,
            target=target,
            platform=block.platform,
            status=block.status.value,
            stressed_at=stressed_at,
            block=msgspec.to_builtins(block),
            result={},
        )
    )
    return 1
