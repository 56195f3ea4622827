"""Every project a verdict source knows, and a one-line summary of each.

:class:`~tracker.verdicts.interface.VerdictSource` answers for one project at
a time; a browser (the TUI) needs all of them. :func:`iter_project_documents`
dispatches on the source's ``kind``:

- ``snapshot``: every document of the feed file, in file order;
- ``database``: the feed built from the store (:meth:`tracker.store.engine.Store.feed`);
- ``remote``: the server's whole feed, ``GET /api/v1/feed.json``;
- anything else with a ``names()`` method: ``project(name)`` for each name.

:func:`summarize` reduces a project document to what a list shows: the
current release (newest non-yanked final, as badges and the API use) and its
status, evidence and culprits per target. It needs no ORM, so a snapshot
browser starts without loading one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.errors import SourceError
from tracker.models import TARGETS, Culprit, Evidence, Status
from tracker.releases import current_release
from tracker.verdicts.interface import ProjectDoc, VerdictSource

__all__ = [
    "FEED_PATH",
    "TARGET_NAMES",
    "ProjectSummary",
    "TargetCell",
    "current_release",
    "iter_project_documents",
    "summarize",
]

#: Where a fttrack server serves its whole feed.
FEED_PATH = "/api/v1/feed.json"
#: Every target fttrack judges, oldest first.
TARGET_NAMES: tuple[str, ...] = tuple(t.name for t in TARGETS)
_FEED_TIMEOUT = 60.0


# -- listing ------------------------------------------------------------------------------


def iter_project_documents(source: VerdictSource) -> Iterator[ProjectDoc]:
    """Yield the document of every project ``source`` knows.

    Raises :class:`~tracker.errors.SourceError` when the source is unusable or
    cannot list its projects.
    """
    kind = getattr(source, "kind", "")
    if kind == "remote":
        yield from _remote_documents(source)
    elif kind == "database":
        yield from _database_documents(source)
    elif callable(getattr(source, "names", None)):
        yield from _named_documents(source)
    else:
        raise SourceError(f"{source.describe()}: cannot list its projects")


def _named_documents(source: VerdictSource) -> Iterator[ProjectDoc]:
    names: list[str] = list(source.names())  # type: ignore[attr-defined]
    for name in names:
        document = source.project(name)
        if document is not None:
            yield document


def _database_documents(source: VerdictSource) -> Iterator[ProjectDoc]:
    opener = getattr(source, "_open", None)
    if not callable(opener):
        if callable(getattr(source, "names", None)):
            yield from _named_documents(source)
            return
        raise SourceError(f"{source.describe()}: cannot list its projects")
    from sqlalchemy.exc import SQLAlchemyError

    store = opener()
    try:
        feed = store.feed()
    except SQLAlchemyError as exc:
        raise SourceError(f"database {store.url}: {str(exc).splitlines()[0]}") from None
    yield from _feed_projects(feed, f"database {store.url}")


def _remote_documents(source: VerdictSource) -> Iterator[ProjectDoc]:
    import httpx

    server = str(getattr(source, "server", "")).rstrip("/")
    if not server:
        raise SourceError(f"{source.describe()}: no server URL")
    try:
        with httpx.Client(base_url=server, timeout=_FEED_TIMEOUT, follow_redirects=True) as client:
            response = client.get(FEED_PATH, headers={"Accept": "application/json"})
    except httpx.TimeoutException:
        raise SourceError(f"fttrack server {server} timed out ({FEED_PATH})") from None
    except httpx.TransportError as exc:
        reason = str(exc) or type(exc).__name__
        raise SourceError(f"cannot reach fttrack server {server}: {reason}") from None
    if response.status_code != 200:
        raise SourceError(f"fttrack server {server}: HTTP {response.status_code} for {FEED_PATH}")
    try:
        feed = response.json()
    except ValueError:
        raise SourceError(f"fttrack server {server}: {FEED_PATH} did not return JSON") from None
    yield from _feed_projects(feed, f"fttrack server {server}")


def _feed_projects(feed: object, where: str) -> Iterator[ProjectDoc]:
    if not isinstance(feed, dict) or not isinstance(feed.get("projects"), list):
        raise SourceError(f'{where}: not a feed document (no "projects" array)')
    for index, document in enumerate(feed["projects"]):
        if not isinstance(document, dict) or not isinstance(document.get("name"), str):
            raise SourceError(f"{where}: projects[{index}] is not a project document")
        yield document


# -- summaries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetCell:
    """The verdict of the current release on one target."""

    status: Status
    evidence: Evidence
    culprits: tuple[Culprit, ...] = ()


_UNKNOWN = TargetCell(Status.UNKNOWN, Evidence.NONE)


@dataclass(frozen=True)
class ProjectSummary:
    """One project as a list shows it."""

    name: str
    display_name: str
    version: str | None
    classifier: str | None
    watch_reason: str | None
    targets: dict[str, TargetCell] = field(default_factory=dict)
    first_ready: dict[str, str] = field(default_factory=dict)

    def cell(self, target: str) -> TargetCell:
        """The verdict on ``target`` (``unknown`` when there is none)."""
        return self.targets.get(target, _UNKNOWN)

    @property
    def has_culprits(self) -> bool:
        """True when the current release names a GIL culprit on any target."""
        return any(cell.culprits for cell in self.targets.values())


def _cell(raw: object) -> TargetCell:
    if not isinstance(raw, dict):
        return _UNKNOWN
    try:
        status = Status(str(raw.get("status")))
    except ValueError:
        return _UNKNOWN
    try:
        evidence = Evidence(str(raw.get("evidence")))
    except ValueError:
        evidence = Evidence.TAGS
    culprits = tuple(
        Culprit(module=str(c["module"]), owner=str(c.get("owner") or ""))
        for c in raw.get("culprits") or []
        if isinstance(c, dict) and isinstance(c.get("module"), str)
    )
    return TargetCell(status, evidence, culprits)


def summarize(document: Mapping[str, Any]) -> ProjectSummary:
    """The summary of a project document (see :class:`ProjectSummary`).

    >>> doc = {"name": "six", "releases": [{"version": "1.17.0",
    ...        "targets": {"3.14t": {"status": "pure", "evidence": "tags"}}}]}
    >>> summarize(doc).cell("3.14t").status.value, summarize(doc).cell("3.13t").status.value
    ('pure', 'unknown')
    """
    release = current_release(document)
    raw_targets = release.get("targets") if release is not None else None
    targets = raw_targets if isinstance(raw_targets, dict) else {}
    first = document.get("first_ready")
    classifier = document.get("classifier")
    watch = document.get("watch_reason")
    name = str(document.get("name", ""))
    return ProjectSummary(
        name=name,
        display_name=str(document.get("display_name") or name),
        version=None if release is None else str(release.get("version")),
        classifier=classifier if isinstance(classifier, str) else None,
        watch_reason=watch if isinstance(watch, str) else None,
        targets={t: _cell(targets.get(t)) for t in TARGET_NAMES},
        first_ready=(
            {str(k): str(v) for k, v in first.items() if isinstance(v, str)}
            if isinstance(first, dict)
            else {}
        ),
    )
