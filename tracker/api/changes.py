"""Routes: the changes feed, as a JSON page (``/api/v1/changes``) and as Atom (``/changes.atom``).

Changes are read from what the store keeps beside each summary
(:class:`~tracker.changes_index.ChangeIndex`), held in memory by
:class:`ChangesCache` and brought up to date like the summaries: at most once per
``recheck_seconds`` the store's change marker is read, and only projects whose
revision moved are read again. Each answer (a filter and a page) is memoised
with its strong ETag until the index changes; ``If-None-Match`` gives 304.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from tracker.api.schemas import TargetName
from tracker.api.state import AppState, get_state
from tracker.changes_feed import DEFAULT_LIMIT, MAX_LIMIT, atom_feed, changes_page
from tracker.changes_index import (
    SINCE_PATTERN,
    ChangeIndex,
    ChangeQuery,
    _store_changes,
    parse_since,
)
from tracker.documents import ProjectChanges
from tracker.names import normalize_name
from tracker.store.engine import Store
from tracker.vocabulary import ChangeKind

__all__ = ["ATOM_DAYS", "ChangesCache", "changes_cache", "router"]

router = APIRouter(tags=["changes"])

#: Days of changes the Atom feed holds when no ``since`` is given.
ATOM_DAYS = 30
_MEMO = 256
#: Held while an app's :class:`ChangesCache` is made.
_MADE = threading.Lock()


class ChangesCache:
    """Every project's stored changes, kept up to date with the store (thread-safe)."""

    def __init__(self, store: Store, *, recheck_seconds: float = 1.0) -> None:
        self.store = store
        self.recheck_seconds = recheck_seconds
        self._projects: dict[str, tuple[int, ProjectChanges]] = {}
        self._index = ChangeIndex(())
        self._marker: tuple[object, ...] | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._memo: OrderedDict[tuple[Any, ...], tuple[str, bytes]] = OrderedDict()

    @property
    def built(self) -> bool:
        """True once the index was read from the store (until then a request reads it)."""
        return self._marker is not None

    def index(self, *, force: bool = False) -> ChangeIndex:
        """The index as it is now (the store is asked at most once per ``recheck_seconds``;
        ``force``: now). A caller that finds it being read waits for the whole of it."""
        if not force and time.monotonic() - self._checked < self.recheck_seconds:
            return self._index
        with self._lock:
            if force or time.monotonic() - self._checked >= self.recheck_seconds:
                self._update()
            return self._index

    def _update(self) -> None:
        marker = self.store.change_marker()
        if marker != self._marker:
            revisions = self.store.summary_revisions()
            stale = [
                n
                for n, r in revisions.items()
                if (held := self._projects.get(n)) is None or held[0] != r
            ]
            gone = [n for n in self._projects if n not in revisions]
            if stale or gone:
                # the first read takes every row (a scan: half the time of naming 5,000)
                wanted = None if not self._projects else stale
                fresh = _store_changes(self.store, wanted) if stale else {}
                for name in gone:
                    del self._projects[name]
                for name, changes in fresh.items():
                    if name in revisions:  # one added since: read with its revision next time
                        self._projects[name] = (revisions[name], changes)
                self._index = ChangeIndex(p for _r, p in self._projects.values())
                self._memo.clear()
            self._marker = marker
        self._checked = time.monotonic()

    def answer(self, key: tuple[Any, ...], build: Any) -> tuple[str, bytes]:
        """(ETag, body) of the answer ``key``, built by ``build(index)`` once per index."""
        index = self.index()
        with self._lock:
            hit = self._memo.get(key)
            if hit is not None and self._index is index:
                self._memo.move_to_end(key)
                return hit
        body: bytes = build(index)
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        with self._lock:
            if self._index is index:
                self._memo[key] = (etag, body)
                while len(self._memo) > _MEMO:
                    self._memo.popitem(last=False)
        return etag, body


def changes_cache(state: AppState) -> ChangesCache:
    """The app's :class:`ChangesCache` (made on first use, with the summaries' recheck time;
    one per app even when a request and the warm-up ask at once)."""
    cache = getattr(state, "_changes_cache", None)
    if cache is None:
        with _MADE:
            cache = getattr(state, "_changes_cache", None)
            if cache is None:
                cache = ChangesCache(state.store, recheck_seconds=state.cache.recheck_seconds)
                state._changes_cache = cache  # type: ignore[attr-defined]
    assert isinstance(cache, ChangesCache)
    return cache


def _query(
    since: str | None, target: TargetName | None, kind: list[ChangeKind], project: list[str]
) -> ChangeQuery:
    try:
        bound = parse_since(since)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return ChangeQuery(
        since=bound,
        target=None if target is None else target.value,
        kinds=frozenset(kind),
        projects=frozenset(normalize_name(p) for p in project),
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _respond(etag: str, body: bytes, media_type: str, if_none_match: str | None) -> Response:
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


_SINCE = Query(
    description="ISO date or UTC time, or an age (7d, 12h, 2w): changes dated from then",
    pattern=SINCE_PATTERN,
)
_TARGET = Query(description="only changes on this target")
_KIND = Query(description="only changes of these kinds (repeat the parameter)")
_PROJECT = Query(description="only changes of these projects (repeat the parameter)")


@router.get(
    "/api/v1/changes",
    response_class=Response,
    responses={
        200: {
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": "a page of changes, newest first",
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
    },
    summary="The changes feed: what changed between consecutive releases, newest first",
)
async def get_changes(
    request: Request,
    state: Annotated[AppState, Depends(get_state)],
    since: Annotated[str | None, _SINCE] = None,
    target: Annotated[TargetName | None, _TARGET] = None,
    kind: Annotated[list[ChangeKind] | None, _KIND] = None,
    project: Annotated[list[str] | None, _PROJECT] = None,
    offset: Annotated[int, Query(ge=0, description="changes to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="changes per page")] = (
        DEFAULT_LIMIT
    ),
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Changes (``first-ft-wheel``, ``now-ready``, ``fixed``, ``regressed``,
    ``target-dropped``, ``races-found``, ``races-fixed``) between two consecutive
    releases of a project on a target, newest first by date (the newer release's upload
    time). ``next`` is the next page's URL (null on the last page)."""
    query = _query(since, target, kind or [], project or [])
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset",)]

    def build(index: ChangeIndex) -> bytes:
        selected = index.select(query)
        next_url = str(request.url.path) + "?" + urlencode([*params, ("offset", offset + limit)])
        return changes_page(
            selected, offset=offset, limit=limit, generated=_now(), next_url=next_url
        )

    key = ("json", query, offset, limit, tuple(params))
    cache = changes_cache(state)
    etag, body = await run_in_threadpool(cache.answer, key, build)
    return _respond(etag, body, "application/json", if_none_match)


@router.get(
    "/changes.atom",
    response_class=Response,
    responses={
        200: {
            "content": {"application/atom+xml": {"schema": {"type": "string"}}},
            "description": "an Atom feed of changes, newest first",
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
    },
    summary="The changes feed as Atom (the last 30 days unless since is given)",
)
async def get_changes_atom(
    request: Request,
    state: Annotated[AppState, Depends(get_state)],
    since: Annotated[str | None, _SINCE] = None,
    target: Annotated[TargetName | None, _TARGET] = None,
    kind: Annotated[list[ChangeKind] | None, _KIND] = None,
    project: Annotated[list[str] | None, _PROJECT] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The same changes and filters as ``/api/v1/changes``, as an Atom feed any feed
    reader follows; each entry links to the project's page on the tracker."""
    query = _query(since or f"{ATOM_DAYS}d", target, kind or [], project or [])
    base = str(request.base_url)
    self_url = str(request.url)

    def build(index: ChangeIndex) -> bytes:
        selected = index.select(query)[:MAX_LIMIT]
        return atom_feed(selected, base_url=base, self_url=self_url, updated=_now())

    key = ("atom", query, base, self_url)
    cache = changes_cache(state)
    etag, body = await run_in_threadpool(cache.answer, key, build)
    return _respond(etag, body, "application/atom+xml", if_none_match)
