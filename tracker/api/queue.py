"""Route: the health of the PostgreSQL probe queue (``{"backend": "in-process"}`` on SQLite)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from tracker.api.state import AppState, get_state

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["queue"])


@router.get("/queue", summary="Probe queue: workers, jobs per queue and state, throughput")
async def get_queue(state: Annotated[AppState, Depends(get_state)]) -> dict[str, Any]:
    """What ``fttrack status --db`` shows under ``queue``.

    On PostgreSQL: the workers seen (id, last heartbeat, alive, running jobs),
    jobs per queue (``probe-3.14t``, ...) and state, stalled jobs, and jobs
    finished in the last 10 minutes and hour. On SQLite probes run inside the
    server: ``{"backend": "in-process"}``.
    """
    if state.store.dialect != "postgresql":
        return {"backend": "in-process"}
    from tracker.queue import queue_health

    return await run_in_threadpool(queue_health, state.store.engine)
