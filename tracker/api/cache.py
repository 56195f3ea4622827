"""What the API serves, kept in memory and brought up to date by small queries.

The store keeps every project's summary and document as JSON beside the
history (:mod:`tracker.store.document_rows`), with the project's revision. The
:class:`SummaryCache` holds every summary; at most once per
``recheck_seconds`` it asks the store for a change marker (one aggregate
query: projects, the sum of their revisions, watched projects) and, only
when it moved, for the (name, revision) pairs, then fetches only the
summaries whose revision moved. One thread at a time does that; badge
requests that come meanwhile are answered from what is in memory instead
of waiting for it. The summary feed (its
body, gzip body and strong ETag) is rebuilt from those bytes only when
something changed: a join of ready-made JSON, no history is read. Badges
are rendered from one summary and memoised until it changes. Project
documents are read as stored JSON, memoised by revision.

A stored summary or document that does not decode is a damaged row
(:mod:`tracker.store.damaged`): it is left out of the list, the feed and the
counts (logged once per revision), and its project's routes and badges raise
:class:`~tracker.store.damaged.DamagedRowError` (503) until a write rebuilds it.

While a fresh database is being seeded (:meth:`SummaryCache.serve_from`), the
same answers come from the snapshot being imported.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from tracker.api.validate import is_project_name
from tracker.archive import Archive
from tracker.documents import (
    FEED_SCHEMA,
    TARGET_NAMES,
    ProjectSummary,
    decode_document,
    decode_summary,
    encode,
    pick_default_target,
    probed_targets,
    status_counts,
)
from tracker.names import normalize_name
from tracker.store.damaged import DamagedRow, DamagedRowError, check_row
from tracker.store.engine import Store

__all__ = ["BadgeRenderer", "FeedBody", "SummaryCache"]

#: Draws a badge: (summary or None when untracked, target) -> body.
BadgeRenderer = Callable[[ProjectSummary | None, str], bytes]


@dataclass(frozen=True)
class FeedBody:
    """The summary feed at one state of the store, ready to serve."""

    body: bytes
    body_gzip: bytes
    etag: str
    generated: str
    names: tuple[str, ...]

    @property
    def etag_gzip(self) -> str:
        """The strong ETag of the gzip representation."""
        return self.etag[:-1] + '-gzip"'


@dataclass
class _Entry:
    revision: int
    body: bytes
    summary: ProjectSummary | None = None
    rendered: dict[tuple[str, str], bytes] = field(default_factory=dict)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class SummaryCache:
    """Thread-safe: every summary, the summary feed, badges and project documents."""

    def __init__(
        self, store: Store, *, recheck_seconds: float = 1.0, max_documents: int = 512
    ) -> None:
        self.store = store
        self.recheck_seconds = recheck_seconds
        self.max_documents = max_documents
        self._entries: dict[str, _Entry] = {}
        self._checked = float("-inf")
        self._marker: tuple[object, ...] | None = None
        self._feed: FeedBody | None = None
        self._documents: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._archive: Archive | None = None
        self._default_target: str | None = None
        self._probed: set[str] = set()
        self._refresh_pending = False
        self._loaded = False  # nothing in memory yet: requests wait for the first check
        self._untracked: dict[tuple[str, str], bytes] = {}
        self._damaged: dict[str, tuple[int, DamagedRow]] = {}  # by name: (revision, row)

    # -- serving from a snapshot while the store is seeded -----------------------------

    def serve_from(self, archive: Archive | None) -> None:
        """Answer from ``archive`` (a snapshot being imported) until called with None.

        With None, the snapshot's summaries stay in memory until the next check
        of the database replaces them (their revision, -1, is no stored one), so
        no request meanwhile sees a project as untracked.
        """
        with self._lock:
            self._archive = archive
            self._feed = None
            self._documents.clear()
            self._checked = float("-inf")
            self._marker = None
            if archive is not None:
                self._entries = {}
                for summary in archive.summaries():
                    self._entries[summary.name] = _Entry(-1, encode(summary), summary)
                self._default_target = self._choose_default_target()
                self._loaded = True

    # -- keeping up with the store -----------------------------------------------------

    def _due(self) -> bool:
        return time.monotonic() - self._checked >= self.recheck_seconds

    def refresh(self, *, force: bool = False, wait: bool = True) -> None:
        """Bring the summaries up to date (at most once per ``recheck_seconds``).

        ``wait=False``: return at once when another thread holds the cache
        (refreshing it, or building the feed), keeping what is in memory.
        """
        if self._archive is not None:
            return
        if not force and not self._due():
            return
        if not self._lock.acquire(blocking=wait):
            return
        try:
            if force or self._due():
                self._update(force=force)
        finally:
            self._lock.release()

    def _update(self, *, force: bool) -> None:
        """Under the lock: read the change marker and, when it moved, the changed summaries."""
        marker = self.store.change_marker()
        if not force and marker == self._marker:
            self._checked = time.monotonic()
            return
        revisions = self.store.summary_revisions()
        stale = [n for n, r in revisions.items() if self._stale(n, r)]
        gone = [n for n in self._entries if n not in revisions]
        for name in [n for n in self._damaged if n not in revisions]:
            del self._damaged[name]
        if stale:
            fresh = self.store.summary_json(stale)
            for name in stale:
                if name not in fresh:
                    continue
                summary, damaged = check_row(name, "summary", fresh[name], decode_summary)
                if damaged is None:
                    self._damaged.pop(name, None)
                    self._entries[name] = _Entry(revisions[name], fresh[name], summary)
                else:  # left out of the list and the feed until a write rebuilds it
                    self._damaged[name] = (revisions[name], damaged)
                    if name in self._entries:
                        gone.append(name)
        for name in gone:
            del self._entries[name]
        if gone or self._default_target is None:
            self._feed = None
            self._default_target = self._choose_default_target()
        elif stale:  # probes are only ever added: the changed summaries may add targets
            self._feed = None
            self._default_target = self._choose_default_target(stale)
        self._marker = marker
        self._loaded = True
        self._checked = time.monotonic()

    def _stale(self, name: str, revision: int) -> bool:
        entry = self._entries.get(name)
        if entry is not None:
            return entry.revision != revision
        damaged = self._damaged.get(name)
        return damaged is None or damaged[0] != revision

    def damaged_rows(self) -> list[DamagedRow]:
        """The stored summaries found damaged (left out of every answer), by name."""
        self.refresh()
        return [row for _name, (_revision, row) in sorted(self._damaged.items())]

    def summary(self, name: str) -> ProjectSummary | None:
        """The summary of ``name`` (any spelling), or None when it is not tracked."""
        entry = self._entry(name)
        if entry is None:
            return None
        if entry.summary is None:
            entry.summary = decode_summary(entry.body)
        return entry.summary

    def _entry(self, name: str, *, wait: bool = True) -> _Entry | None:
        if not is_project_name(name):  # never send a NUL byte to PostgreSQL
            return None
        self.refresh(wait=wait)
        normalized = normalize_name(name)
        entry = self._entries.get(normalized)
        if entry is None and (damaged := self._damaged.get(normalized)) is not None:
            raise DamagedRowError(damaged[1])
        return entry

    def summaries(self) -> list[ProjectSummary]:
        """Every summary, by name."""
        self.refresh()
        return [s for n in sorted(self._entries) if (s := self.summary(n)) is not None]

    def badge(
        self,
        name: str,
        target: str | None,
        kind: str,
        render: BadgeRenderer,
        *,
        wait: bool = True,
    ) -> tuple[bool, bytes]:
        """(tracked, ``render(summary, target)``), memoised until the summary changes.

        ``target`` None: the default one (:meth:`default_target`). ``wait``: as
        for :meth:`refresh`.
        """
        entry = self._entry(name, wait=wait)
        chosen = target or self._default_target or self.default_target()
        if entry is None:  # one grey badge per target and kind: hostile names fill nothing
            grey = self._untracked.get((chosen, kind))
            if grey is None:
                grey = self._untracked[(chosen, kind)] = render(None, chosen)
            return False, grey
        body = entry.rendered.get((chosen, kind))
        if body is None:
            if entry.summary is None:
                entry.summary = decode_summary(entry.body)
            body = entry.rendered[(chosen, kind)] = render(entry.summary, chosen)
        return True, body

    async def badge_async(
        self, name: str, target: str | None, kind: str, render: BadgeRenderer
    ) -> tuple[bool, bytes]:
        """:meth:`badge` for routes, answered in the event loop; when a database check
        is due, the request that finds it due runs it in a worker thread first."""
        if not self._loaded and self._archive is None:  # nothing to answer from yet
            return await run_in_threadpool(self.badge, name, target, kind, render)
        if self._archive is None and self._due() and not self._refresh_pending:
            # one request at a time asks the database (in a worker thread, never
            # waiting for another thread's refresh); the others answer from memory
            self._refresh_pending = True
            try:
                await run_in_threadpool(self.refresh, wait=False)
            finally:
                self._refresh_pending = False
        return self.badge(name, target, kind, render, wait=False)

    # -- the feed and the status counts ------------------------------------------------

    def feed(self) -> FeedBody:
        """The summary feed as it is now (rebuilt only after a change)."""
        self.refresh()
        cached = self._feed
        if cached is not None:
            return cached
        with self._lock:
            names = tuple(sorted(self._entries))
            parts = [self._entries[n].body for n in names]
            generated = _now_iso()
            head = b'{"schema":%d,"generated":"%s","targets":[%s],"projects":[' % (
                FEED_SCHEMA,
                generated.encode(),
                b",".join(b'"%s"' % t.encode() for t in TARGET_NAMES),
            )
            body = head + b",".join(parts) + b"]}"
            digest = hashlib.sha256(b"\n".join(parts)).hexdigest()[:40]
            feed = FeedBody(
                body=body,
                body_gzip=gzip.compress(body, compresslevel=6, mtime=0),
                etag=f'"{digest}"',
                generated=generated,
                names=names,
            )
            self._feed = feed
            return feed

    def default_target(self) -> str:
        """The target badges speak of when none is asked for: the newest probed one."""
        self.refresh()
        chosen = self._default_target
        if chosen is None:
            with self._lock:
                chosen = self._default_target = self._choose_default_target()
        return chosen

    def _choose_default_target(self, changed: list[str] | None = None) -> str:
        """Under the lock: the newest target with a probe among the summaries in memory
        (``changed``: only those summaries changed since the last call)."""
        if changed is None:
            self._probed = set()
        entries = self._entries.values() if changed is None else (
            e for n in changed if (e := self._entries.get(n)) is not None)  # fmt: skip
        summaries = []
        for entry in entries:
            if entry.summary is None:
                entry.summary = decode_summary(entry.body)
            summaries.append(entry.summary)
        self._probed.update(probed_targets(summaries))
        return pick_default_target(TARGET_NAMES, [t for t in TARGET_NAMES if t in self._probed])[0]

    def counts(self) -> tuple[int, dict[str, dict[str, int]]]:
        """(number of projects, per target the number of current releases per status)."""
        summaries = self.summaries()
        return len(summaries), status_counts(summaries)

    # -- project documents -------------------------------------------------------------

    def document(self, name: str) -> bytes | None:
        """The stored document of ``name`` (any spelling) as JSON, or None."""
        entry = self._entry(name)
        if entry is None:
            return None
        normalized = normalize_name(name)
        if self._archive is not None:
            document = self._archive.document(normalized)
            return None if document is None else encode(document)
        with self._lock:
            hit = self._documents.get(normalized)
        if hit is not None and hit[0] == entry.revision:
            return hit[1]
        body = self.store.project_json(normalized)
        if body is None:
            return None
        _document, damaged = check_row(normalized, "document", body, decode_document)
        if damaged is not None:
            raise DamagedRowError(damaged)
        with self._lock:
            self._documents[normalized] = (entry.revision, body)
            self._documents.move_to_end(normalized)
            while len(self._documents) > self.max_documents:
                self._documents.popitem(last=False)
        return body
