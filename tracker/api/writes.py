"""Write routes: watch, crawl, probe. Each needs ``Authorization: Bearer <FTTRACK_API_TOKEN>``.

Without a configured token, writes are disabled (403). Crawl and probe hand
the request to the scheduler's hook (202); without a hook they answer 503.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from tracker.api.schemas import (
    Accepted,
    CrawlRequest,
    ErrorBody,
    ProbeRequest,
    WatchRequest,
    WatchResponse,
)
from tracker.api.state import AppState, call_hook, get_state
from tracker.errors import FttrackError
from tracker.documents import TARGET_NAMES
from tracker.store.queries import add_to_watchlist, normalize_name

__all__ = ["require_token", "router"]

_bearer = HTTPBearer(auto_error=False, description="FTTRACK_API_TOKEN")

_AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "the body is not JSON"},
    401: {"model": ErrorBody, "description": "missing or wrong token"},
    403: {"model": ErrorBody, "description": "writes are disabled (no token configured)"},
}


async def require_token(
    state: Annotated[AppState, Depends(get_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Dependency: refuse the request unless it carries the configured bearer token."""
    if not state.api_token:
        raise HTTPException(403, "writes are disabled: set FTTRACK_API_TOKEN on the server")
    supplied = credentials.credentials if credentials else ""
    if not (
        credentials is not None
        and credentials.scheme.lower() == "bearer"
        and hmac.compare_digest(supplied.encode(), state.api_token.encode())
    ):
        raise HTTPException(
            401,
            "a valid 'Authorization: Bearer <token>' header is required",
            headers={"WWW-Authenticate": "Bearer"},
        )


router = APIRouter(prefix="/api/v1", tags=["writes"], dependencies=[Depends(require_token)])


@router.post("/watch", response_model=WatchResponse, responses=_AUTH_ERRORS)
async def watch(body: WatchRequest, state: Annotated[AppState, Depends(get_state)]) -> JSONResponse:
    """Add projects to the watch list (reason ``manual``)."""

    def write() -> list[str]:
        with state.store.session_scope(write=True) as session:
            return add_to_watchlist(body.names, "manual", session=session)

    added = await run_in_threadpool(write)
    wanted = list(dict.fromkeys(normalize_name(n) for n in body.names))
    return JSONResponse({"added": added, "already": [n for n in wanted if n not in added]})


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
    responses={**_AUTH_ERRORS, 503: {"model": ErrorBody, "description": "no scheduler"}},
)
async def probe(body: ProbeRequest, state: Annotated[AppState, Depends(get_state)]) -> JSONResponse:
    """Ask the scheduler to probe a project's release on targets (default: all targets)."""
    if state.on_probe is None:
        raise HTTPException(503, "no scheduler is attached to this server")
    targets = [t.value for t in body.targets] if body.targets else list(TARGET_NAMES)
    name = normalize_name(body.name)
    try:
        await call_hook(state.on_probe, name, body.version, targets)
    except Exception as exc:
        raise _hook_failed(exc) from exc
    version = body.version or "current release"
    return JSONResponse(
        {"accepted": True, "detail": f"probe of {name} {version} on {', '.join(targets)} queued"},
        status_code=202,
    )
