"""Project documents built from the store's rows, and kept beside them.

Per release and target, the verdict comes from the files' tags
(:func:`tracker.wheels.release_tag_summary`) unless a probe decided it: the
latest probe run for (release, target) overrides the tags. Releases imported
from a snapshot without their files keep the tags verdict they were imported
with (``releases.tags``).

Every write that changes a project (:mod:`tracker.store.queries`) calls
:func:`refresh_documents` in its own transaction, which rebuilds that
project's document, summary and changes (with its flagged claim checks,
:func:`tracker.documents.project_changes`) into ``project_documents``: readers (the
feed, badges, the project route, status) read those rows and never rebuild
from history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime

import msgspec
from sqlmodel import Session, col, select

from tracker.documents import (
    TARGET_NAMES,
    Culprit,
    FileDocument,
    ModuleLine,
    ProbeBlock,
    ProbeRunDocument,
    ProjectDocument,
    ReleaseDetail,
    ReleaseDocument,
    StressBlock,
    TargetVerdict,
    decode_document,
    encode,
    project_changes,
    summarized,
)
from tracker.models import Evidence, Status
from tracker.store.rows import (
    ProjectRows,
    ReleaseRows,
    load_projects,
    probe_history,
    stress_history,
)
from tracker.store.tables import File, ProbeRun, Project, ProjectDocumentRow, StressRun
from tracker.wheels import FileTags, release_tag_summary

__all__ = [
    "culprits_of",
    "document_from_rows",
    "iso",
    "probe_block",
    "refresh_all",
    "refresh_documents",
    "release_detail",
    "stress_block_of",
]

log = logging.getLogger(__name__)
_CHUNK = 200
_STATUSES = {s.value: s for s in Status}


def iso(value: datetime | None) -> str | None:
    """ISO-8601 UTC text with a ``Z`` suffix, or None.

    >>> iso(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    '2026-11-25T12:00:00Z'
    """
    if value is None:
        return None
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    text = aware.isoformat(timespec="microseconds" if aware.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def _file_tags(row: File) -> FileTags:
    return FileTags(
        filename=row.filename,
        kind=row.kind,
        project=None,
        version=None,
        targets=frozenset(row.targets),
        platforms=frozenset(row.platforms),
        pure=row.pure,
        gil_only=row.gil_only,
        abi3t=row.abi3t,
    )


def _status(value: object) -> Status:
    return _STATUSES.get(str(value), Status.UNKNOWN)


def culprits_of(run: ProbeRun) -> list[Culprit]:
    """The culprits a probe run recorded."""
    return [
        Culprit(module=str(c.get("module", "")), owner=str(c.get("owner") or ""))
        for c in run.culprits
        if isinstance(c, dict)
    ]


def probe_block(run: ProbeRun) -> ProbeBlock:
    """What a verdict's probe recorded, for the project document."""
    return ProbeBlock(
        interpreter=run.interpreter,
        sandbox=run.sandbox,
        platform=run.platform,
        modules=[
            ModuleLine(
                name=str(m.get("name", "")),
                outcome=str(m.get("outcome", "")),
                detail=str(m.get("detail") or ""),
                owner=str(m.get("owner") or ""),
                optional=bool(m.get("optional", False)),
            )
            for m in run.modules
            if isinstance(m, dict)
        ],
        timings={str(k): float(v) for k, v in run.timings.items() if isinstance(v, int | float)},
        stderr_tail=run.stderr_tail,
        detail=run.detail,
    )


def stress_block_of(run: StressRun) -> StressBlock | None:
    """The document form of a stored stress run (None when its block does not decode,
    which leaves the verdict without a stress result rather than failing the document)."""
    try:
        return msgspec.convert(run.block, StressBlock)
    except msgspec.ValidationError:
        log.warning("stress run %s of %s %s: block does not decode", run.id, run.project,
                    run.version)  # fmt: skip
        return None


def _target_verdicts(rows: ReleaseRows) -> dict[str, TargetVerdict]:
    stored = rows.release.tags or {}
    live = [f for f in rows.files if not f.yanked] or rows.files
    tags = [_file_tags(f) for f in live]
    verdicts: dict[str, TargetVerdict] = {}
    for target in TARGET_NAMES:
        if rows.files:
            status, platforms = release_tag_summary(tags, target)
        else:
            imported = stored.get(target) or {}
            status = _status(imported.get("status"))
            platforms = [str(p) for p in imported.get("platforms", [])]
        run = rows.latest_probes.get(target)
        stressed = rows.latest_stress.get(target)
        stress = stress_block_of(stressed) if stressed is not None else None
        if run is None:
            verdicts[target] = TargetVerdict(status=status, platforms=platforms, stress=stress)
        else:
            verdicts[target] = TargetVerdict(
                status=_status(run.status),
                evidence=Evidence.PROBE,
                platforms=platforms,
                culprits=culprits_of(run),
                probed_at=iso(run.probed_at),
                probe=probe_block(run),
                stress=stress,
            )
    return verdicts


def document_from_rows(rows: ProjectRows) -> ProjectDocument:
    """The project document (with its summary) of loaded rows."""
    document = ProjectDocument(
        name=rows.project.name,
        display_name=rows.project.display_name,
        classifier=rows.project.classifier,
        watch_reason=rows.watch_reason,
        releases=[
            ReleaseDocument(
                version=r.release.version,
                yanked=bool(r.release.yanked),
                uploaded=iso(r.release.uploaded),
                targets=_target_verdicts(r),
                classifier=r.release.classifier,
            )
            for r in rows.releases
        ],
    )
    return summarized(document)


def refresh_documents(names: Iterable[str], *, session: Session) -> list[ProjectDocument]:
    """Rebuild the stored document and summary of each project in ``names``
    (normalized) inside the caller's transaction; returns the documents."""
    wanted = sorted(set(names))
    built: list[ProjectDocument] = []
    now = datetime.now(UTC)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        loaded = load_projects(session=session, names=chunk)
        existing = {
            row.project: row
            for row in session.exec(
                select(ProjectDocumentRow).where(col(ProjectDocumentRow.project).in_(chunk))
            ).all()
        }
        for rows in loaded:
            document = document_from_rows(rows)
            assert document.summary is not None
            computed = project_changes(document)  # beside the summary, from the same history
            document.claims = computed.claims
            summary = encode(document.summary).decode()
            body = encode(document).decode()
            changes = encode(computed).decode()
            row = existing.get(document.name)
            if row is None:
                session.add(
                    ProjectDocumentRow(
                        project=document.name,
                        revision=rows.project.revision,
                        updated_at=now,
                        summary=summary,
                        document=body,
                        changes=changes,
                    )
                )
            else:
                row.revision = rows.project.revision
                row.updated_at = now
                row.summary = summary
                row.document = body
                row.changes = changes
            built.append(document)
    session.flush()
    return built


def refresh_all(*, session: Session, only_missing: bool = True) -> int:
    """Build the stored documents of every project (or only those without one,
    e.g. after an upgrade from a schema without them); returns how many."""
    names = set(session.exec(select(Project.name)).all())
    if only_missing:
        names -= set(session.exec(select(ProjectDocumentRow.project)).all())
    if names:
        log.info("building the documents of %d projects", len(names))
        refresh_documents(names, session=session)
    return len(names)


def _run_document(run: ProbeRun) -> ProbeRunDocument:
    return ProbeRunDocument(
        target=run.target,
        platform=run.platform,
        status=run.status,
        evidence=Evidence.PROBE.value,
        culprits=culprits_of(run),
        modules=[dict(m) for m in run.modules],
        interpreter=run.interpreter,
        sandbox=run.sandbox,
        timings=dict(run.timings),
        stderr_tail=run.stderr_tail,
        detail=run.detail,
        installed=list(run.installed),
        probed_at=iso(run.probed_at),
    )


def _file_document(row: File) -> FileDocument:
    return FileDocument(
        filename=row.filename,
        kind=row.kind,
        targets=list(row.targets),
        platforms=list(row.platforms),
        pure=row.pure,
        gil_only=row.gil_only,
        abi3t=row.abi3t,
        yanked=row.yanked,
        size=row.size,
        uploaded=iso(row.uploaded),
    )


def release_detail(name: str, version: str, *, session: Session) -> ReleaseDetail | None:
    """One release (``version`` exactly, else PEP 440 equal): its files, its verdict per
    target (from the stored document) and every probe run per target; None if unknown."""
    found = probe_history(name, version, session=session)
    if found is None:
        return None
    project, release, files, runs = found
    stored = session.get(ProjectDocumentRow, project.name)
    targets: dict[str, TargetVerdict] = {}
    if stored is not None:
        document = decode_document(stored.document, what=f"stored document of {project.name}")
        entry = next((r for r in document.releases if r.version == release.version), None)
        targets = dict(entry.targets) if entry is not None else {}
    history: dict[str, list[ProbeRunDocument]] = {t: [] for t in TARGET_NAMES}
    for run in runs:
        history.setdefault(run.target, []).append(_run_document(run))
    assert release.id is not None
    stressed: dict[str, list[StressBlock]] = {}
    for stress_run in stress_history(release.id, session=session):
        block = stress_block_of(stress_run)
        if block is not None:
            stressed.setdefault(stress_run.target, []).append(block)
    return ReleaseDetail(
        name=project.name,
        display_name=project.display_name,
        version=release.version,
        yanked=bool(release.yanked),
        uploaded=iso(release.uploaded),
        files=[_file_document(f) for f in files],
        targets=targets,
        history=history,
        stress_history=stressed,
    )
