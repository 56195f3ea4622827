"""What every route needs: the store, the caches, the write token, the scheduler hooks and
the seeding state."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from tracker.api.cache import SummaryCache
from tracker.api.seeding import Seeding
from tracker.store.engine import Store

__all__ = ["AppState", "CrawlHook", "ProbeHook", "call_hook", "get_state"]

#: Called with the names to crawl (None: the whole watch list).
CrawlHook = Callable[[list[str] | None], Any]
#: Called with (project, version or None for the current release, targets).
ProbeHook = Callable[[str, str | None, list[str]], Any]


@dataclass
class AppState:
    """Shared by all requests of one app."""

    store: Store
    cache: SummaryCache
    api_token: str | None
    on_crawl: CrawlHook | None
    on_probe: ProbeHook | None
    owns_store: bool
    #: A fresh database being seeded: writes wait for it (see :mod:`tracker.api.seeding`).
    seeding: Seeding = field(default_factory=Seeding)
    #: Set once the server's start work is done (a fresh database seeded, the caches
    #: warm: :meth:`tracker.server.Server.start`); ``GET /readyz`` answers 503 until
    #: then. An app no server starts is ready at once.
    ready: threading.Event = field(default_factory=lambda: _set(threading.Event()))


def _set(event: threading.Event) -> threading.Event:
    event.set()
    return event


async def get_state(request: Request) -> AppState:
    """FastAPI dependency: the app's :class:`AppState`."""
    state = request.app.state.fttrack
    assert isinstance(state, AppState)
    return state


async def call_hook(hook: Callable[..., Any], *args: Any) -> Any:
    """Run a scheduler hook: await it if async, else run it in a worker thread."""
    if inspect.iscoroutinefunction(hook):
        return await hook(*args)
    result = await run_in_threadpool(hook, *args)
    if inspect.isawaitable(result):
        return await result
    return result
