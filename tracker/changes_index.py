"""Every project's changes and flagged claim checks, in memory, filtered and paged.

Changes are computed once per project, where summaries are
(:func:`tracker.documents.project_changes`): the store writes them beside the
summary on every write (``project_documents.changes``); a snapshot carries them in
its changes member (written by :func:`tracker.archive.write_archive`, read by
:meth:`tracker.archive.Archive.changes`: one small member, no history). A snapshot
written before it carried them (or with changes of another schema) has them
computed on first load from its histories (a dozen seconds for the shipped 5,000
projects), kept in the cache directory, keyed by the snapshot file's size, time
and the rules' schema, so the next load reads one file. A :class:`ChangeIndex`
holds them, newest first, and answers the filters of ``fttrack changes``, the
changes feed and the TUI without reading any history.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import sqlalchemy as sa
from sqlmodel import col

from tracker.archive import Archive
from tracker.documents import (
    CHANGES_SCHEMA,
    Change,
    ProjectChanges,
    decode_document,
    decode_project_changes,
    encode,
    project_changes,
)
from tracker.names import normalize_name
from tracker.store.engine import Store
from tracker.store.tables import ProjectDocumentRow
from tracker.vocabulary import ChangeKind, ClaimFlag

__all__ = [
    "SINCE_PATTERN",
    "ChangeIndex",
    "ChangeQuery",
    "parse_since",
]


#: What ``since`` accepts: an age (``7d``, ``12h``, ``2w``, at most 5 digits) or an ISO
#: date or UTC time (``2026-11-30``, ``2026-11-30T08:00:00Z``); the API's schema says so.
SINCE_PATTERN = r"^(\d{1,5}[dhw]|\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?Z?)?)$"


def parse_since(text: str | None, *, now: datetime | None = None) -> str | None:
    """A ``since`` bound as ISO text: an ISO date or UTC time as given (changes' dates
    compare with it as text), or an age before ``now``; None for None or empty.
    :class:`ValueError` for anything :data:`SINCE_PATTERN` does not match.

    >>> parse_since("7d", now=datetime(2026, 12, 8, tzinfo=UTC))
    '2026-12-01T00:00:00Z'
    >>> parse_since("2026-11-30")
    '2026-11-30'
    """
    if not text:
        return None
    text = text.strip()
    if re.fullmatch(SINCE_PATTERN, text) is None:
        raise ValueError(
            f"since: {text[:40]!r} is neither an ISO date (2026-11-30) nor an age (7d, 12h, 2w)"
        )
    units = {"d": "days", "h": "hours", "w": "weeks"}
    if text[-1] in units:
        moment = (now or datetime.now(UTC)) - timedelta(**{units[text[-1]]: int(text[:-1])})
        return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return text


@dataclass(frozen=True)
class ChangeQuery:
    """The filters of a changes listing (every one optional)."""

    #: ISO lower bound on a change's date (inclusive); undated changes are left out.
    since: str | None = None
    target: str | None = None
    kinds: frozenset[ChangeKind] = frozenset()
    #: Normalized project names.
    projects: frozenset[str] = frozenset()

    def matches(self, change: Change) -> bool:
        """Whether ``change`` passes every filter."""
        if self.since is not None and (change.date is None or change.date < self.since):
            return False
        if self.target is not None and change.target != self.target:
            return False
        if self.kinds and change.kind not in self.kinds:
            return False
        return not self.projects or change.project in self.projects


class ChangeIndex:
    """Every project's :class:`~tracker.documents.ProjectChanges`, and their changes newest
    first (by date, then identity)."""

    def __init__(self, projects: Iterable[ProjectChanges]) -> None:
        self.projects: dict[str, ProjectChanges] = {p.name: p for p in projects}
        merged = [c for p in self.projects.values() for c in p.changes]
        merged.sort(key=lambda c: (c.date or "", c.key), reverse=True)
        self.changes: list[Change] = merged
        digest = hashlib.sha256()
        for change in merged:
            digest.update(change.key.encode() + (change.date or "").encode() + b"\n")
        #: A strong ETag of what the index holds.
        self.etag = f'"{digest.hexdigest()[:32]}"'

    def select(self, query: ChangeQuery) -> list[Change]:
        """The changes that pass ``query``, newest first."""
        if query.projects and len(query.projects) < 50:  # read only those projects
            picked = [
                c
                for name in query.projects
                if (p := self.projects.get(name)) is not None
                for c in p.changes
            ]
            picked.sort(key=lambda c: (c.date or "", c.key), reverse=True)
            return [c for c in picked if query.matches(c)]
        found = []
        for change in self.changes:
            if query.since is not None and (change.date is None or change.date < query.since):
                break  # newest first: the rest are older (undated ones sort last)
            if query.matches(change):
                found.append(change)
        return found

    def counts(self, changes: Sequence[Change] | None = None) -> dict[str, int]:
        """How many changes of each kind (every kind listed)."""
        counted = Counter(c.kind.value for c in (self.changes if changes is None else changes))
        return {k.value: counted.get(k.value, 0) for k in ChangeKind}

    def claim_counts(self) -> dict[str, int]:
        """Per claim flag, how many projects' current releases raise it (every flag listed)."""
        counted: Counter[str] = Counter()
        for project in self.projects.values():
            counted.update(project.current_flags())
        return {f.value: counted.get(f.value, 0) for f in ClaimFlag}

    # -- building ------------------------------------------------------------------------

    @classmethod
    def from_store(cls, store: Store) -> ChangeIndex:
        """From the changes stored beside each summary; a row without them (written before
        they were) has them computed from its document."""
        return cls(_store_changes(store, None).values())

    @classmethod
    def cached_for(cls, archive: Archive, cache_dir: Path) -> ChangeIndex | None:
        """The changes the snapshot carries, else those kept in ``cache_dir`` for
        ``archive``'s file, or None when they were not computed yet (nothing is computed:
        for readers with a time budget)."""
        stored = archive.changes()
        if stored is not None:
            return cls(stored)
        cached = _cache_file(archive, cache_dir)
        if cached is None or not cached.is_file():
            return None
        return cls.from_archive(archive, cache_dir)

    @classmethod
    def from_archive(cls, archive: Archive, cache_dir: Path | None = None) -> ChangeIndex:
        """From a snapshot: the changes it carries (see :meth:`Archive.changes`), else
        those kept in ``cache_dir`` for this snapshot file, else computed from every
        history (and kept there when ``cache_dir`` is given)."""
        stored = archive.changes()
        if stored is not None:
            return cls(stored)
        cached = _cache_file(archive, cache_dir) if cache_dir is not None else None
        if cached is not None and cached.is_file():
            with contextlib.suppress(OSError, msgspec.MsgspecError):
                found = _CACHE_DECODER.decode(cached.read_bytes())
                if all(p.schema == CHANGES_SCHEMA for p in found):
                    return cls(found)
        computed = [project_changes(d) for d in archive.documents()]
        if cached is not None:
            with contextlib.suppress(OSError):
                cached.parent.mkdir(parents=True, exist_ok=True)
                partial = cached.with_name(cached.name + f".{os.getpid()}.partial")
                partial.write_bytes(encode(computed))
                os.replace(partial, cached)
        return cls(computed)


_CACHE_DECODER = msgspec.json.Decoder(list[ProjectChanges])


def _cache_file(archive: Archive, cache_dir: Path) -> Path | None:
    """Where the changes of ``archive``'s file are kept (None when it cannot be read)."""
    try:
        stat = archive.path.stat()
    except OSError:
        return None
    key = f"{archive.path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{CHANGES_SCHEMA}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return cache_dir / "changes" / f"snapshot-{digest}.json"


def _store_changes(store: Store, names: Iterable[str] | None) -> dict[str, ProjectChanges]:
    """The stored changes of ``names`` (normalized; None: every project)."""
    query = sa.select(col(ProjectDocumentRow.project), col(ProjectDocumentRow.changes))
    if names is not None:
        query = query.where(col(ProjectDocumentRow.project).in_(sorted(set(names))))
    found: dict[str, ProjectChanges] = {}
    missing: list[str] = []
    with store.session_scope() as session:
        for name, text in session.execute(query).all():
            decoded = decode_project_changes(text) if text else None
            if decoded is None:
                missing.append(str(name))
            else:
                found[str(name)] = decoded
        for name in missing:  # rows written before changes were stored
            row = session.get(ProjectDocumentRow, name)
            if row is None:
                continue
            with contextlib.suppress(Exception):
                found[name] = project_changes(decode_document(row.document))
    return found


def project_names(names: Iterable[str]) -> frozenset[str]:
    """Normalized names (the ``project`` filter)."""
    return frozenset(normalize_name(n) for n in names)
