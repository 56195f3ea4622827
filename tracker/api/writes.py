"""Write routes: watch, crawl, probe. Each needs ``Authorization: Bearer <FTTRACK_API_TOKEN>``.

Without a configured token, writes are disabled (403). Crawl and probe hand
the request to the scheduler's hook (202); without a hook they answer 503.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from packaging.version import Version
from starlette.concurrency import run_in_threadpool

from tracker.api.guard import check_token
from tracker.api.schemas import (
    Accepted,
    CrawlRequest,
    ErrorBody,
    ProbeOrder,
    WatchRequest,
    WatchResponse,
)
from tracker.api.state import AppState, call_hook, get_state
from tracker.api.validate import is_version, shorten
from tracker.documents import TARGET_NAMES
from tracker.errors import FttrackError
from tracker.names import normalize_name

__all__ = ["require_token", "router"]

_bearer = HTTPBearer(auto_error=False, description="FTTRACK_API_TOKEN")

_AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "the body is not JSON"},
    401: {"model": ErrorBody, "description": "missing or wrong token"},
    403: {"model": ErrorBody, "description": "writes are disabled (no token configured)"},
    408: {"model": ErrorBody, "description": "the body did not arrive in time"},
    413: {"model": ErrorBody, "description": "the body is larger than 1 MiB"},
}
_DEFERRED: dict[int | str, dict[str, Any]] = {
    202: {"model": Accepted, "description": "the database is being seeded: applied after it"},
}


def _deferred(state: AppState, what: str, action: Callable[[], Any]) -> JSONResponse | None:
    """202 "accepted, applied after seeding" when the database is being seeded (the
    action is queued); None when it is not (the caller acts now)."""
    if not state.seeding.defer(what, action):
        return None
    detail = f"accepted, applied after seeding (about {state.seeding.retry_after()} s): {what}"
    return JSONResponse({"accepted": True, "detail": detail}, status_code=202)


async def require_token(
    state: Annotated[AppState, Depends(get_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Dependency: refuse the request unless it carries the configured bearer token.

    :class:`tracker.api.guard.WriteGuard` makes the same check before the body is
    read; this one documents the scheme in the OpenAPI schema and guards the
    routes when the app is mounted without the middleware."""
    supplied = f"{credentials.scheme} {credentials.credentials}" if credentials else None
    refused = check_token(state.api_token, supplied)
    if refused is not None:
        status, message = refused
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        raise HTTPException(status, message, headers=headers)


router = APIRouter(prefix="/api/v1", tags=["writes"], dependencies=[Depends(require_token)])


@router.post("/watch", response_model=WatchResponse, responses={**_AUTH_ERRORS, **_DEFERRED})
async def watch(body: WatchRequest, state: Annotated[AppState, Depends(get_state)]) -> JSONResponse:
    """Add projects to the watch list (reason ``manual``); while the database is being
    seeded, 202 and applied after seeding."""
    names = list(body.names)
    later = _deferred(
        state,
        f"watch of {_listed(names)}",
        lambda: state.store.add_to_watchlist(names, "manual"),
    )
    if later is not None:
        return later

    added = await run_in_threadpool(state.store.add_to_watchlist, body.names, "manual")
    wanted = list(dict.fromkeys(normalize_name(n) for n in body.names))
    return JSONResponse({"added": added, "already": [n for n in wanted if n not in added]})


def _listed(names: list[str] | None, limit: int = 5) -> str:
    """``a, b, c`` (the first ``limit`` names, then how many more), or "the watch list"."""
    if not names:
        return "the watch list"
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def _hook_failed(exc: Exception) -> HTTPException:
    message = str(exc) if isinstance(exc, FttrackError) else "the scheduler refused the request"
    return HTTPException(503, message)


@router.post(
    "/crawl",
    status_code=202,
    response_model=Accepted,
    responses={**_AUTH_ERRORS, 503: {"model": ErrorBody, "description": "no scheduler"}},
)
async def crawl(
    state: Annotated[AppState, Depends(get_state)], body: CrawlRequest | None = None
) -> JSONResponse:
    """Ask the scheduler to crawl projects now (all watched projects when no names are given)."""
    if state.on_crawl is None:
        raise HTTPException(503, "no scheduler is attached to this server")
    names = [normalize_name(n) for n in body.names] if body and body.names else None
    hook = state.on_crawl
    later = _deferred(state, f"crawl of {_listed(names)}", lambda: hook(names))
    if later is not None:
        return later
    try:
        await call_hook(state.on_crawl, names)
    except Exception as exc:
        raise _hook_failed(exc) from exc
    what = ", ".join(names) if names else "the watch list"
    return JSONResponse({"accepted": True, "detail": f"crawl of {what} queued"}, status_code=202)


@router.post(
    "/probe",
    status_code=202,
    response_model=Accepted,
    responses={
        **_AUTH_ERRORS,
        404: {"model": ErrorBody, "description": "the project is not tracked"},
        409: {"model": ErrorBody, "description": "nothing was queued: already queued or probed"},
        422: {"description": "the version is not a PEP 440 version"},
        503: {"model": ErrorBody, "description": "no scheduler, or nothing here can probe"},
    },
)
async def probe(body: ProbeOrder, state: Annotated[AppState, Depends(get_state)]) -> JSONResponse:
    """Ask the scheduler to probe a project's release on targets (default: all targets).

    202 only when jobs were really queued (the detail says how many); 409 when
    nothing was left to queue; 503 when nothing on this server can probe the
    targets (no probe workers, no interpreter), with the reason.
    """
    if state.on_probe is None:
        raise HTTPException(503, "no scheduler is attached to this server")
    if body.version is not None and not is_version(body.version):
        return JSONResponse(
            {
                "error": f"body.version: {shorten(body.version)} is not a version (PEP 440)",
                "detail": [
                    {
                        "type": "value_error",
                        "loc": ["body", "version"],
                        "msg": "not a PEP 440 version",
                    }
                ],
            },
            status_code=422,
        )
    version = str(Version(body.version)) if body.version is not None else None
    targets = [t.value for t in body.targets] if body.targets else list(TARGET_NAMES)
    name = normalize_name(body.name)
    if state.seeding.active:  # the database is being filled: ask the snapshot
        tracked = await run_in_threadpool(state.cache.summary, name) is not None
    else:
        tracked = await run_in_threadpool(state.store.project_state, name) is not None
    if not tracked:
        raise HTTPException(404, f"{name} is not tracked: add it with POST /api/v1/watch")
    on_probe = state.on_probe
    later = _deferred(
        state,
        f"probe of {name} {version or 'current release'} on {', '.join(targets)}",
        lambda: on_probe(name, version, targets),
    )
    if later is not None:
        return later
    try:
        report = await call_hook(state.on_probe, name, version, targets)
    except Exception as exc:
        raise _hook_failed(exc) from exc
    what = f"{name} {version or 'current release'}"
    if not isinstance(report, Mapping):  # a hook that does not say what it did
        return JSONResponse(
            {"accepted": True, "detail": f"probe of {what} on {', '.join(targets)} requested"},
            status_code=202,
        )
    return _probe_answer(what, targets, report)


def _probe_answer(what: str, targets: list[str], report: Mapping[str, Any]) -> JSONResponse:
    """202, 409 or 503 from the hook's report (see :mod:`tracker.api.hooks`)."""
    if report.get("unavailable"):
        return JSONResponse({"error": f"nothing can probe {what}: {report['unavailable']}"}, 503)
    queued = int(report.get("queued") or 0)
    skipped = [str(t) for t in report.get("skipped") or []]
    wanted = ", ".join(t for t in targets if t not in skipped)
    if queued == 0:
        if report.get("jobs") == 0:
            message = f"nothing to probe: {what} has no unprobed free-threaded wheel for {wanted}"
        else:
            message = f"nothing queued: the probe of {what} on {wanted} is already queued"
        return JSONResponse({"error": message}, status_code=409)
    detail = f"probe of {what} on {wanted} queued ({queued} job{'s' * (queued != 1)})"
    if skipped:
        detail += f"; no interpreter here for {', '.join(skipped)}"
    return JSONResponse({"accepted": True, "detail": detail}, status_code=202)
