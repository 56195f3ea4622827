"""Documents built from the store, cached until the store changes.

A project document is rebuilt when its project's ``revision`` moves; the feed
(with its serialised and gzip bodies, strong ETag, summaries and counts) when
:func:`tracker.store.queries.fingerprint` moves. Both checks cost one small query.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from tracker.api.validate import is_project_name
from tracker.feed import (
    build_feed,
    build_project_document,
    project_summary,
    status_counts,
)
from tracker.store.engine import Store
from tracker.store.queries import fingerprint, iso, normalize_name
from tracker.store.tables import Project

__all__ = ["DocumentCache", "FeedSnapshot"]


@dataclass(frozen=True)
class FeedSnapshot:
    """The feed at one fingerprint of the store, ready to serve."""

    fingerprint: tuple[Any, ...]
    document: dict[str, Any]
    body: bytes
    body_gzip: bytes
    etag: str
    summaries: list[dict[str, Any]]
    counts: dict[str, dict[str, int]]
    generated: str

    @property
    def etag_gzip(self) -> str:
        """The strong ETag of the gzip representation."""
        return self.etag[:-1] + '-gzip"'


class DocumentCache:
    """Thread-safe caches of project documents and of the feed."""

    def __init__(
        self, store: Store, *, max_projects: int = 4096, recheck_seconds: float = 1.0
    ) -> None:
        self.store = store
        self.max_projects = max_projects
        self.recheck_seconds = recheck_seconds
        # name -> (revision or None when absent, document or None, monotonic time checked)
        self._projects: OrderedDict[str, tuple[int | None, dict[str, Any] | None, float]] = (
            OrderedDict()
        )
        self._rendered: dict[tuple[str, ...], tuple[dict[str, Any] | None, bytes]] = {}
        self._feed: FeedSnapshot | None = None
        self._lock = threading.Lock()
        self._feed_lock = threading.Lock()

    def recent(self, name: str) -> tuple[bool, dict[str, Any] | None]:
        """``(True, document or None)`` when ``name`` was checked within ``recheck_seconds``.

        Costs no database query, so the event loop can answer hot badges directly.
        """
        if self.recheck_seconds <= 0:
            return False, None
        hit = self._projects.get(normalize_name(name))
        if hit is not None and time.monotonic() - hit[2] < self.recheck_seconds:
            return True, hit[1]
        return False, None

    def project(self, name: str) -> dict[str, Any] | None:
        """The project document of ``name`` (any spelling), or None if not in the store."""
        normalized = normalize_name(name)
        if not normalized or not is_project_name(name):  # never send a NUL byte to PostgreSQL
            return None
        fresh, document = self.recent(normalized)
        if fresh:
            return document
        with self.store.session_scope() as session:
            revision = session.exec(
                select(Project.revision).where(Project.name == normalized)
            ).first()
            with self._lock:
                hit = self._projects.get(normalized)
            if hit is not None and hit[0] == revision:
                document = hit[1]
            elif revision is None:
                document = None
            else:
                document = build_project_document(normalized, session=session)
        with self._lock:
            self._projects[normalized] = (revision, document, time.monotonic())
            self._projects.move_to_end(normalized)
            while len(self._projects) > self.max_projects:
                self._projects.popitem(last=False)
        return document

    def rendered(
        self,
        key: tuple[str, ...],
        document: dict[str, Any] | None,
        render: Callable[[dict[str, Any] | None], bytes],
    ) -> bytes:
        """``render(document)``, memoised for as long as ``document`` is the cached one."""
        hit = self._rendered.get(key)
        if hit is not None and hit[0] is document:
            return hit[1]
        body = render(document)
        if len(self._rendered) >= self.max_projects * 4:
            self._rendered.clear()
        self._rendered[key] = (document, body)
        return body

    async def project_async(self, name: str) -> dict[str, Any] | None:
        """:meth:`project` for routes: answered in the event loop when fresh, else in a thread."""
        fresh, document = self.recent(name)
        if fresh:
            return document
        return await run_in_threadpool(self.project, name)

    def feed(self) -> FeedSnapshot:
        """The feed for the store as it is now (rebuilt only after a change)."""
        with self.store.session_scope() as session:
            current = fingerprint(session=session)
        cached = self._feed
        if cached is not None and cached.fingerprint == current:
            return cached
        with self._feed_lock:
            cached = self._feed
            if cached is not None and cached.fingerprint == current:
                return cached
            with self.store.session_scope() as session:
                current = fingerprint(session=session)
                now = datetime.now(UTC)
                document = build_feed(session=session, generated=now)
            body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
            snapshot = FeedSnapshot(
                fingerprint=current,
                document=document,
                body=body,
                body_gzip=gzip.compress(body, compresslevel=6, mtime=0),
                etag='"' + hashlib.sha256(body).hexdigest()[:40] + '"',
                summaries=[project_summary(p) for p in document["projects"]],
                counts=status_counts(document),
                generated=iso(now) or "",
            )
            self._feed = snapshot
            return snapshot
