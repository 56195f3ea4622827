"""Routes: one project, one release with its probe history, the project list, the status counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tracker.api.schemas import (
    ErrorBody,
    ProjectDocument,
    ProjectList,
    ReleaseDetail,
    StatusReport,
    TargetName,
)
from tracker.api.state import AppState, get_state
from tracker.api.validate import is_project_name, is_version, shorten
from tracker.feed import TARGET_NAMES, probe_run_document
from tracker.models import Status
from tracker.store.queries import iso, normalize_name, probe_history

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["projects"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}}


def _not_found(name: str, version: str | None = None) -> HTTPException:
    what = f"{name} {version}" if version else name
    return HTTPException(404, f"{what} is not tracked")


@router.get(
    "/projects",
    response_model=ProjectList,
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
) -> JSONResponse:
    """Projects (current release per target), filtered by status/target/name, paged."""
    feed = await run_in_threadpool(state.cache.feed)
    needle = normalize_name(q) if q else ""
    raw = q.strip().lower() if q else ""
    targets = [target.value] if target else list(TARGET_NAMES)
    items = []
    for summary in feed.summaries:
        if q and needle not in summary["name"] and raw not in summary["display_name"].lower():
            continue
        if status and not any(summary["targets"][t]["status"] == status.value for t in targets):
            continue
        items.append(summary)
    start = (page - 1) * per_page
    return JSONResponse(
        {
            "total": len(items),
            "page": page,
            "per_page": per_page,
            "items": items[start : start + per_page],
        }
    )


@router.get(
    "/projects/{name}",
    response_model=ProjectDocument,
    responses=_NOT_FOUND,
    summary="One project: every release and its verdict per target",
)
async def get_project(name: str, state: Annotated[AppState, Depends(get_state)]) -> JSONResponse:
    """The project document; ``name`` may be spelled in any PEP 503-equivalent way."""
    if not is_project_name(name):
        raise HTTPException(404, f"{shorten(name)} is not a project name (PEP 508)")
    document = await state.cache.project_async(name)
    if document is None:
        raise _not_found(name)
    return JSONResponse(document)


@router.get(
    "/projects/{name}/{version}",
    response_model=ReleaseDetail,
    responses=_NOT_FOUND,
    summary="One release: files, verdicts, and the full probe history per target",
)
async def get_release(
    name: str, version: str, state: Annotated[AppState, Depends(get_state)]
) -> JSONResponse:
    """A release with its files, current verdict per target, and every probe run per target."""
    if not is_project_name(name):
        raise HTTPException(404, f"{shorten(name)} is not a project name (PEP 508)")
    if not is_version(version):
        raise HTTPException(404, f"{shorten(version)} is not a version (PEP 440)")
    detail = await run_in_threadpool(_release_detail, state, name, version)
    if detail is None:
        raise _not_found(name, version)
    return JSONResponse(detail)


def _release_detail(state: AppState, name: str, version: str) -> dict[str, Any] | None:
    document = state.cache.project(name)
    if document is None:
        return None
    with state.store.session_scope() as session:
        found = probe_history(name, version, session=session)
        if found is None:
            return None
        project, release, files, runs = found
        history: dict[str, list[dict[str, Any]]] = {t: [] for t in TARGET_NAMES}
        for run in runs:
            history.setdefault(run.target, []).append(probe_run_document(run))
        file_docs = [
            {
                "filename": f.filename,
                "kind": f.kind,
                "targets": list(f.targets),
                "platforms": list(f.platforms),
                "pure": f.pure,
                "gil_only": f.gil_only,
                "abi3t": f.abi3t,
                "yanked": f.yanked,
                "size": f.size,
                "uploaded": iso(f.uploaded),
            }
            for f in files
        ]
    entry = next((r for r in document["releases"] if r["version"] == release.version), None)
    return {
        "name": project.name,
        "display_name": project.display_name,
        "version": release.version,
        "yanked": bool(release.yanked),
        "uploaded": iso(release.uploaded),
        "files": file_docs,
        "targets": entry["targets"] if entry else {},
        "history": history,
    }


@router.get("/status", response_model=StatusReport, summary="Counts per status and target")
async def get_status(state: Annotated[AppState, Depends(get_state)]) -> JSONResponse:
    """How many projects' current releases have each status, per target."""
    feed = await run_in_threadpool(state.cache.feed)
    return JSONResponse(
        {"generated": feed.generated, "projects": len(feed.summaries), "targets": feed.counts}
    )
