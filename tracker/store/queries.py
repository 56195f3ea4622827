"""Reads and writes on the store. Every function takes a keyword-only ``session``.

Functions never commit: the caller owns the transaction (see
:meth:`tracker.store.engine.Store.session_scope`), so one project's page is
written all or nothing. Writes are idempotent: running the same one twice
leaves the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import msgspec
import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.errors import InputError
from tracker.models import ProbeResult, to_jsonable
from tracker.names import normalize_name
from tracker.releases import version_key
from tracker.store.document_rows import iso, refresh_documents
from tracker.store.rows import ProjectRows, ReleaseRows, load_projects
from tracker.store.tables import File, ProbeRun, Project, Release, StressRun, WatchEntry
from tracker.stress.result import StressResult, stress_block
from tracker.wheels import classify_file

__all__ = [
    "WATCH_REASONS",
    "PageFile",
    "ProjectRows",
    "ReleaseRows",
    "UpsertResult",
    "add_to_watchlist",
    "as_utc",
    "ensure_project",
    "ensure_release",
    "fingerprint",
    "get_project",
    "iso",
    "load_projects",
    "parse_time",
    "project_state",
    "record_probe",
    "record_stress",
    "run_stored",
    "touch_project",
    "unread_classifiers",
    "upsert_project_page",
    "version_key",
    "watchlist",
]

#: Why a project is on the watch list.
WATCH_REASONS = ("seed", "audit", "manual")


class PageFile(NamedTuple):
    """One file of a project's index page, as the crawler read it."""

    version: str | None
    filename: str
    yanked: bool | str | None = False
    size: int | None = None
    upload_time: datetime | str | None = None


@dataclass(frozen=True)
class UpsertResult:
    """What :func:`upsert_project_page` changed."""

    project: str
    created: bool
    new_versions: tuple[str, ...] = ()
    new_files: int = 0
    changed_versions: tuple[str, ...] = ()


def as_utc(value: datetime | None) -> datetime | None:
    """The same instant as an aware UTC datetime (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_time(value: datetime | str | None, *, where: str = "time") -> datetime | None:
    """Read an ISO-8601 time (``Z`` or offset; naive means UTC); empty means None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    try:
        return as_utc(datetime.fromisoformat(value.strip()))
    except ValueError:
        raise InputError(where, f"not an ISO-8601 time: {value!r}") from None


def _now() -> datetime:
    return datetime.now(UTC)


def _is_yanked(value: bool | str | None) -> bool:
    if isinstance(value, str):
        return True  # PEP 691: a string is the reason it was yanked
    return bool(value)


def get_project(name: str, *, session: Session) -> Project | None:
    """The project row for ``name`` (any spelling), or None."""
    return session.exec(select(Project).where(Project.name == normalize_name(name))).first()


def project_state(name: str, *, session: Session) -> tuple[int | None, str | None] | None:
    """``(last_serial, etag)`` of a crawled project, for change detection; None if unknown."""
    project = get_project(name, session=session)
    return None if project is None else (project.last_serial, project.etag)


def ensure_project(
    name: str, *, session: Session, display_name: str | None = None
) -> tuple[Project, bool]:
    """The project row for ``name``, created if missing; True when it was created."""
    normalized = normalize_name(name)
    project = session.exec(select(Project).where(Project.name == normalized)).first()
    if project is not None:
        return project, False
    project = Project(name=normalized, display_name=display_name or name.strip(), revision=0)
    session.add(project)
    session.flush()
    return project, True


def touch_project(project: Project) -> None:
    """Mark a project changed (documents and caches built from it are stale)."""
    project.revision = (project.revision or 0) + 1


def ensure_release(name: str, version: str, *, session: Session) -> Release:
    """The release row for (name, version), created (with its project) if missing."""
    project, _ = ensure_project(name, session=session)
    assert project.id is not None
    release = session.exec(
        select(Release).where(Release.project_id == project.id, Release.version == version)
    ).first()
    if release is None:
        release = Release(project_id=project.id, version=version, yanked=False)
        session.add(release)
        session.flush()
    return release


def upsert_project_page(
    *,
    session: Session,
    name: str,
    serial: int | str | None,
    etag: str | None,
    files: Iterable[PageFile | Sequence[Any]],
    display_name: str | None = None,
    classifier: str | None = None,
    requires: list[str] | None = None,
    release_classifiers: Mapping[str, str] | None = None,
    crawled_at: datetime | None = None,
) -> UpsertResult:
    """Store one project's index page: its releases and files, classified by tags.

    ``files`` holds ``(version, filename, yanked, size, upload_time)`` tuples
    (:class:`PageFile`). Idempotent: files already stored are updated in place
    (yanked, size), new ones are added; nothing is deleted. A release is
    yanked when all its files are; ``uploaded`` is its earliest file's time.
    ``release_classifiers``: the Free Threading classifier level read from a release's
    own metadata (``""``: none), by version (:func:`tracker.crawl.release_classifiers`).
    """
    project, created = ensure_project(name, session=session, display_name=display_name)
    assert project.id is not None
    if display_name:
        project.display_name = display_name
    if classifier is not None:
        project.classifier = classifier or None
    if requires is not None:
        project.requires = sorted(set(requires))
    if serial is not None and str(serial).strip().lstrip("-").isdigit():
        project.last_serial = int(serial)
    project.etag = etag
    project.last_crawled = as_utc(crawled_at) or _now()
    touch_project(project)
    by_version = _by_version(files)
    releases, new_versions = _releases_of(project.id, by_version, session=session)
    files_by_release = _stored_files(releases.values(), session=session)
    changed_versions: list[str] = []
    new_files = 0
    for version, items in by_version.items():
        release = releases[version]
        assert release.id is not None
        stored = files_by_release[release.id]
        added, changed = _store_files(project.name, release.id, items, stored, session=session)
        new_files += added
        if (_settle_release(release, stored.values()) or changed) and version not in new_versions:
            changed_versions.append(version)
    for version, level in (release_classifiers or {}).items():
        read = releases.get(version)
        if read is not None:
            read.classifier = level
    session.flush()
    refresh_documents([project.name], session=session)
    return UpsertResult(
        project=project.name,
        created=created,
        new_versions=tuple(new_versions),
        new_files=new_files,
        changed_versions=tuple(changed_versions),
    )


def unread_classifiers(name: str, *, session: Session) -> list[str]:
    """The versions of project ``name`` a probe judged whose classifier is not read yet."""
    probed = select(ProbeRun.release_id).where(ProbeRun.release_id == Release.id).exists()
    rows = session.exec(
        select(Release.version)
        .join(Project, col(Project.id) == col(Release.project_id))
        .where(Project.name == normalize_name(name))
        .where(col(Release.classifier).is_(None))
        .where(probed)
    ).all()
    return sorted(rows, key=version_key, reverse=True)


def probed_since_crawled(*, session: Session) -> set[str]:
    """The projects with a release whose classifier is not read yet and that a probe
    judged after the project's page was last stored: their next crawl reads the page
    (and so the classifier) even when the index says it has not changed. Read once,
    the page is stored and the project is not named again until another probe."""
    rows = session.exec(
        select(Project.name)
        .join(Release, col(Project.id) == col(Release.project_id))
        .join(ProbeRun, col(ProbeRun.release_id) == col(Release.id))
        .where(col(Release.classifier).is_(None))
        .where(
            sa.or_(
                col(Project.last_crawled).is_(None),
                col(ProbeRun.probed_at) > col(Project.last_crawled),
            )
        )
        .distinct()
    ).all()
    return set(rows)


def _by_version(files: Iterable[PageFile | Sequence[Any]]) -> dict[str, list[PageFile]]:
    """The files of a page by version (read from the file name when not given; a file
    whose version cannot be told is left out), in page order."""
    by_version: dict[str, list[PageFile]] = defaultdict(list)
    for item in (PageFile(*entry) for entry in files):
        version = item.version or classify_file(item.filename).version
        if version:
            by_version[version].append(item)
    return by_version


def _releases_of(
    project_id: int, versions: Iterable[str], *, session: Session
) -> tuple[dict[str, Release], list[str]]:
    """The project's releases by version, those of ``versions`` not stored yet created
    (one flush for all their ids), and the versions created."""
    releases = {
        r.version: r
        for r in session.exec(select(Release).where(Release.project_id == project_id)).all()
    }
    new_versions = [v for v in versions if v not in releases]
    for version in new_versions:
        releases[version] = Release(project_id=project_id, version=version, yanked=False)
        session.add(releases[version])
    if new_versions:
        session.flush()  # one round trip for every new release's id
    return releases, new_versions


def _stored_files(releases: Iterable[Release], *, session: Session) -> dict[int, dict[str, File]]:
    """The stored files of ``releases``: release id -> file name -> row."""
    files_by_release: dict[int, dict[str, File]] = defaultdict(dict)
    release_ids = [r.id for r in releases if r.id is not None]
    for chunk_start in range(0, len(release_ids), 500):
        chunk = release_ids[chunk_start : chunk_start + 500]
        for known in session.exec(select(File).where(col(File.release_id).in_(chunk))).all():
            files_by_release[known.release_id][known.filename] = known
    return files_by_release


def _store_files(
    project: str, release_id: int, items: list[PageFile], stored: dict[str, File], *,
    session: Session,
) -> tuple[int, bool]:  # fmt: skip
    """Add the page's new files of one release to ``stored`` (and the session), update
    the yanked flag and size of known ones: (files added, whether anything changed)."""
    added, changed = 0, False
    for item in items:
        yanked = _is_yanked(item.yanked)
        uploaded = parse_time(item.upload_time, where=f"{project}: {item.filename}")
        row = stored.get(item.filename)
        if row is None:
            tags = classify_file(item.filename)
            row = File(
                release_id=release_id,
                filename=item.filename,
                kind=tags.kind,
                targets=sorted(tags.targets),
                platforms=sorted(tags.platforms),
                pure=tags.pure,
                gil_only=tags.gil_only,
                abi3t=tags.abi3t,
                yanked=yanked,
                size=item.size,
                uploaded=uploaded,
            )
            session.add(row)
            stored[item.filename] = row
            added += 1
            changed = True
        elif row.yanked != yanked or (item.size is not None and row.size != item.size):
            row.yanked = yanked
            row.size = item.size if item.size is not None else row.size
            changed = True
    return added, changed


def _settle_release(release: Release, files: Iterable[File]) -> bool:
    """Set a release yanked when all its files are, uploaded at its earliest file's
    time; whether either changed."""
    rows = list(files)
    yanked = bool(rows) and all(r.yanked for r in rows)
    times = [t for t in (as_utc(r.uploaded) for r in rows) if t is not None]
    uploaded = min(times) if times else as_utc(release.uploaded)
    if release.yanked == yanked and as_utc(release.uploaded) == uploaded:
        return False
    release.yanked, release.uploaded = yanked, uploaded
    return True


def _probe_payload(result: ProbeResult) -> dict[str, Any]:
    jsonable = to_jsonable(result)
    assert isinstance(jsonable, dict)
    return jsonable


def run_stored(
    release: Release, target: str, platform: str, when: datetime, *, stress: bool, session: Session
) -> bool:
    """Whether ``release``'s history already holds the run of ``target`` × ``platform`` at
    ``when`` (a probe run, or with ``stress`` a stress run): runs are stored once."""
    if stress:
        found = session.exec(
            select(StressRun.id).where(
                StressRun.release_id == release.id,
                StressRun.target == target,
                StressRun.platform == platform,
                StressRun.stressed_at == when,
            )
        ).first()
    else:
        found = session.exec(
            select(ProbeRun.id).where(
                ProbeRun.release_id == release.id,
                ProbeRun.target == target,
                ProbeRun.platform == platform,
                ProbeRun.probed_at == when,
            )
        ).first()
    return found is not None


def _release_changed(release: Release, *, session: Session) -> None:
    """A run was added to ``release``'s history: its project is touched and its stored
    documents (summary, document, changes) are computed again."""
    project = session.get(Project, release.project_id)
    assert project is not None
    touch_project(project)
    session.flush()
    refresh_documents([project.name], session=session)


def record_probe(result: ProbeResult, *, session: Session) -> bool:
    """Add one probe result to the history; True if added, False if already stored.

    A probe run is never overwritten; the same result (same release, target,
    platform and ``probed_at``) recorded twice is stored once. The release
    (and project) is created when the crawler has not seen it yet.
    """
    release = ensure_release(result.project, result.version, session=session)
    assert release.id is not None
    probed_at = parse_time(result.probed_at, where=f"probe of {result.project}") or _now()
    if run_stored(release, result.target, result.platform, probed_at, stress=False,
                  session=session):  # fmt: skip
        return False
    payload = _probe_payload(result)
    session.add(
        ProbeRun(
            release_id=release.id,
            project=normalize_name(result.project),
            version=result.version,
            target=result.target,
            platform=result.platform,
            status=str(result.status),
            culprits=payload["culprits"],
            modules=payload["modules"],
            interpreter=result.interpreter,
            sandbox=result.sandbox,
            timings=payload["timings"],
            stderr_tail=result.stderr_tail,
            detail=result.detail,
            probed_at=probed_at,
            installed=payload["installed"],
        )
    )
    _release_changed(release, session=session)
    return True


def record_stress(result: StressResult, *, session: Session) -> bool:
    """Add one stress result to the stress history; True if added, False if already stored.

    Like a probe run, a stress run is never overwritten: the same result (same
    release, target, platform and ``stressed_at``) recorded twice is stored once.
    It never touches the probe history: the import verdict's ``status`` stays.
    """
    release = ensure_release(result.project, result.version, session=session)
    assert release.id is not None
    stressed_at = parse_time(result.stressed_at, where=f"stress of {result.project}") or _now()
    if run_stored(release, result.target, result.platform, stressed_at, stress=True,
                  session=session):  # fmt: skip
        return False
    block = msgspec.to_builtins(stress_block(result))
    whole = to_jsonable(result)
    assert isinstance(block, dict) and isinstance(whole, dict)
    session.add(
        StressRun(
            release_id=release.id,
            project=normalize_name(result.project),
            version=result.version,
            target=result.target,
            platform=result.platform,
            status=str(result.status),
            stressed_at=stressed_at,
            block=block,
            result=whole,
        )
    )
    _release_changed(release, session=session)
    return True


def add_to_watchlist(
    names: Iterable[str],
    reason: str,
    *,
    session: Session,
    added_at: datetime | None = None,
    refresh: bool = True,
) -> list[str]:
    """Add projects to the watch list; returns the normalised names that were new.

    Names already watched keep their first reason and time (idempotent).
    ``refresh=False`` leaves the stored documents to the caller (a bulk import
    rebuilds them once at its end).
    """
    if reason not in WATCH_REASONS:
        raise ValueError(f"watch reason must be one of {', '.join(WATCH_REASONS)}, not {reason!r}")
    wanted: list[str] = []
    for name in names:
        normalized = normalize_name(name)
        if normalized and normalized not in wanted:
            wanted.append(normalized)
    if not wanted:
        return []
    present = set(
        session.exec(select(WatchEntry.project).where(col(WatchEntry.project).in_(wanted))).all()
    )
    when = as_utc(added_at) or _now()
    added = [n for n in wanted if n not in present]
    for normalized in added:
        session.add(WatchEntry(project=normalized, reason=reason, added_at=when))
    touched: list[str] = []
    if added:
        for project in session.exec(select(Project).where(col(Project.name).in_(added))).all():
            touch_project(project)
            touched.append(project.name)
    session.flush()
    if touched and refresh:
        refresh_documents(touched, session=session)
    return added


def watchlist(*, session: Session) -> list[WatchEntry]:
    """Every watched project, by name."""
    return list(session.exec(select(WatchEntry).order_by(col(WatchEntry.project))).all())


def fingerprint(*, session: Session) -> tuple[Any, ...]:
    """A cheap value that changes whenever anything a document shows changes."""
    row = session.execute(
        sa.select(
            sa.select(sa.func.count()).select_from(Project).scalar_subquery(),
            sa.select(sa.func.coalesce(sa.func.sum(Project.revision), 0)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(WatchEntry).scalar_subquery(),
        )
    ).one()
    return tuple(int(v) for v in row)
