"""Route: the health of the PostgreSQL probe queue (``{"backend": "in-process"}`` on SQLite).

Public, like every read route: it shows numbers only (worker ids, which are
database sequence numbers, heartbeat ages, job ids, counts per queue and
state, throughput) and no host name, address, process id or job argument;
see docs/api-errors.md. Being public, it is answered from a copy at most
``queue_cache_seconds`` old (app state, default 5 s), so that polling it
costs the database one set of queries per period, not one per request.
"""

from __future__ import annotations

import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tracker.api.state import AppState, get_state

__all__ = ["CACHE_SECONDS", "router"]

router = APIRouter(prefix="/api/v1", tags=["queue"])

#: How long one reading of the queue is served to every caller.
CACHE_SECONDS = 5.0


class _Recent:
    """The last reading of the queue and when it was taken (one per app)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: dict[str, Any] | None = None
        self.at = 0.0


@router.get("/queue", summary="Probe queue: workers, jobs per queue and state, throughput")
async def get_queue(
    request: Request, state: Annotated[AppState, Depends(get_state)]
) -> JSONResponse:
    """What ``fttrack status --db`` shows under ``queue``; no token needed.

    On PostgreSQL: the workers seen (id, last heartbeat, alive, running jobs),
    jobs per queue (``probe-3.14t``, ...) and state, stalled jobs, and jobs
    finished in the last 10 minutes and hour. On SQLite probes run inside the
    server: ``{"backend": "in-process"}``. At most a few seconds old.
    """
    seconds = float(getattr(request.app.state, "queue_cache_seconds", CACHE_SECONDS))
    headers = {"Cache-Control": f"public, max-age={int(seconds)}"}
    if state.store.dialect != "postgresql":
        return JSONResponse({"backend": "in-process"}, headers=headers)
    from tracker.queue.health import queue_health

    recent = getattr(request.app.state, "queue_recent", None)
    if not isinstance(recent, _Recent):
        recent = request.app.state.queue_recent = _Recent()

    def read() -> dict[str, Any]:
        with recent.lock:  # one reading at a time; the others wait for it and share it
            if recent.value is None or time.monotonic() - recent.at >= seconds:
                recent.value = queue_health(state.store.engine)
                recent.at = time.monotonic()
            return recent.value

    return JSONResponse(await run_in_threadpool(read), headers=headers)
