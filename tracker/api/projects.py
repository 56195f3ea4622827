"""Routes: one project, one release with its probe history, the project list, the status counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from starlette.concurrency import run_in_threadpool

from tracker.api.openapi import json_response
from tracker.api.schemas import ErrorBody, ProjectList, StatusReport, TargetName
from tracker.api.state import AppState, get_state
from tracker.api.validate import is_project_name, is_version, shorten
from tracker.documents import (
    TARGET_NAMES,
    ProjectDocument,
    ProjectSummary,
    ReleaseDetail,
    encode,
)
from tracker.models import Status
from tracker.names import normalize_name

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["projects"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}}
_JSON = "application/json"


def _not_found(state: AppState, name: str, version: str | None = None) -> HTTPException:
    """404 "not tracked"; while a fresh database is being seeded, 503 "loading, retry
    after N s" (with ``Retry-After``): what it does not have yet may still come."""
    if state.seeding.active:
        wait = state.seeding.retry_after()
        return HTTPException(
            503,
            f"loading: the database is being seeded, retry after {wait} s",
            headers={"Retry-After": str(wait)},
        )
    what = f"{name} {version}" if version else name
    return HTTPException(404, f"{what} is not tracked")


_LOADING: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorBody, "description": "loading: the database is being seeded"},
}


def _search_order(summary: ProjectSummary, needle: str, raw: str) -> int:
    """0 for the exact name, 1 for a name that starts with the query, 2 for the others
    (the TUI's order: ``?q=numpy`` lists numpy first)."""
    if summary.name == needle or summary.shown_name.lower() == raw:
        return 0
    if summary.name.startswith(needle) or summary.shown_name.lower().startswith(raw):
        return 1
    return 2


@router.get(
    "/projects",
    response_class=Response,
    responses={200: json_response(ProjectList, "A page of project summaries")},
    summary="Search and list projects",
)
async def list_projects(
    state: Annotated[AppState, Depends(get_state)],
    status: Annotated[Status | None, Query(description="only projects with this status")] = None,
    target: Annotated[
        TargetName | None, Query(description="the target the status filter applies to")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="substring of the name")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """Project summaries (current release per target), filtered by status/target/name, paged.

    With ``q``, the exact name comes first, then names that start with it, then the
    others (each group in the feed's order)."""
    summaries = await run_in_threadpool(state.cache.summaries)
    needle = normalize_name(q) if q else ""
    raw = q.strip().lower() if q else ""
    targets = [target.value] if target else list(TARGET_NAMES)
    items = [
        s
        for s in summaries
        if (not q or needle in s.name or raw in s.shown_name.lower())
        and (status is None or any(s.cell(t).status is status for t in targets))
    ]
    if q:
        items.sort(key=lambda s: _search_order(s, needle, raw))  # stable: feed order within
    start = (page - 1) * per_page
    body = ProjectList(
        total=len(items), page=page, per_page=per_page, items=items[start : start + per_page]
    )
    return Response(encode(body), media_type=_JSON)


@router.get(
    "/projects/{name}",
    response_class=Response,
    responses={
        200: json_response(ProjectDocument, "The project document"),
        **_NOT_FOUND,
        **_LOADING,
    },
    summary="One project: its summary and every release with its verdict per target",
)
async def get_project(name: str, state: Annotated[AppState, Depends(get_state)]) -> Response:
    """The project document; ``name`` may be spelled in any PEP 503-equivalent way.

    While a fresh database is being seeded, a project it does not have yet answers 503
    ``loading, retry after N s`` (with ``Retry-After``)."""
    if not is_project_name(name):
        raise HTTPException(404, f"{shorten(name)} is not a project name (PEP 508)")
    body = await run_in_threadpool(state.cache.document, name)
    if body is None:
        raise _not_found(state, name)
    return Response(body, media_type=_JSON)


@router.get(
    "/projects/{name}/{version}",
    response_class=Response,
    responses={
        200: json_response(ReleaseDetail, "The release and its probe history"),
        **_NOT_FOUND,
        **_LOADING,
    },
    summary="One release: files, verdicts, and the full probe history per target",
)
async def get_release(
    name: str, version: str, state: Annotated[AppState, Depends(get_state)]
) -> Response:
    """A release with its files, current verdict per target, and every probe run per target.

    While a fresh database is being seeded, a project or release it does not have yet
    answers 503 ``loading, retry after N s`` (with ``Retry-After``)."""
    if not is_project_name(name):
        raise HTTPException(404, f"{shorten(name)} is not a project name (PEP 508)")
    if not is_version(version):
        raise HTTPException(404, f"{shorten(version)} is not a version (PEP 440)")
    if await run_in_threadpool(state.cache.document, name) is None:
        raise _not_found(state, name, version)
    detail = await run_in_threadpool(state.store.release_detail, name, version)
    if detail is None:
        raise _not_found(state, name, version)
    return Response(encode(detail), media_type=_JSON)


@router.get(
    "/status",
    response_class=Response,
    responses={200: json_response(StatusReport, "Counts per status and target")},
    summary="Counts per status and target",
)
async def get_status(state: Annotated[AppState, Depends(get_state)]) -> Response:
    """How many projects' current releases have each status, per target."""
    projects, counts = await run_in_threadpool(state.cache.counts)
    feed = await run_in_threadpool(state.cache.feed)
    body = StatusReport(generated=feed.generated, projects=projects, targets=counts)
    return Response(encode(body), media_type=_JSON)
