"""The FastAPI application factory."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from tracker import __version__
from tracker.api import badges, changes, feed, openapi, projects, queue, verified_badges, writes
from tracker.api.cache import SummaryCache
from tracker.api.errors import install_error_handlers
from tracker.api.guard import WriteGuard
from tracker.api.head import HeadAsGet
from tracker.api.seeding import Seeding
from tracker.api.state import AppState, CrawlHook, ProbeHook
from tracker.config import Settings
from tracker.store.engine import Store, open_store

__all__ = ["create_app", "install_offline_docs", "seed_in_background"]

log = logging.getLogger("fttrack.serve")


def create_app(
    settings_or_db_url: Settings | str | Store,
    *,
    on_crawl: CrawlHook | None = None,
    on_probe: ProbeHook | None = None,
    api_token: str | None = None,
    recheck_seconds: float = 1.0,
    seeding: Seeding | None = None,
) -> FastAPI:
    """Build the API app over a store.

    ``settings_or_db_url``: settings (database URL and write token), a
    database URL, or an open :class:`Store`. ``api_token`` overrides the
    token; with a URL or a store and no ``api_token``, ``FTTRACK_API_TOKEN``
    is read. ``on_crawl(names | None)`` and ``on_probe(name, version | None,
    targets)`` are the scheduler's hooks for the write routes (sync or async).
    ``recheck_seconds``: how long a project document is served without asking
    the database whether it changed (0: ask on every request). ``seeding``: the state
    of a seed in progress (writes wait for it; see :mod:`tracker.api.seeding`).
    """
    owns_store = not isinstance(settings_or_db_url, Store)
    if isinstance(settings_or_db_url, Settings):
        store = open_store(settings_or_db_url.db_url)
        token = api_token or settings_or_db_url.api_token
    elif isinstance(settings_or_db_url, Store):
        store = settings_or_db_url
        token = api_token or os.environ.get("FTTRACK_API_TOKEN") or None
    else:
        store = open_store(settings_or_db_url)
        token = api_token or os.environ.get("FTTRACK_API_TOKEN") or None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_store:
            store.close()

    app = FastAPI(
        title="fttrack",
        version=__version__,
        description="Free-threading verdicts for Python packages: projects, feed, badges.",
        lifespan=lifespan,
        docs_url=None,  # served below from local files: the docs work offline
        redoc_url=None,
    )
    install_offline_docs(app)
    app.state.fttrack = AppState(
        store=store,
        cache=SummaryCache(store, recheck_seconds=recheck_seconds),
        api_token=token,
        on_crawl=on_crawl,
        on_probe=on_probe,
        owns_store=owns_store,
        seeding=seeding or Seeding(),
    )
    app.add_middleware(badges.BadgeFastPath)  # innermost: badges before routing
    # the token and the body's size before any body is read (write routes only)
    app.add_middleware(WriteGuard, paths=[getattr(r, "path", "") for r in writes.router.routes])
    app.add_middleware(HeadAsGet)  # HEAD on every GET route
    install_error_handlers(app)  # outermost: it sees the request as it came
    app.include_router(projects.router)
    app.include_router(feed.router)
    app.include_router(badges.router)
    app.include_router(writes.router)
    app.include_router(queue.router)
    app.include_router(changes.router)
    app.include_router(verified_badges.router)
    openapi.install(app)

    @app.get("/healthz", tags=["meta"], summary="Liveness: a static answer")
    async def healthz() -> JSONResponse:
        """Always ``{"ok": true}``; touches nothing."""
        return JSONResponse({"ok": True})

    @app.get("/readyz", tags=["meta"], summary="Readiness: seeded and warm")
    async def readyz() -> JSONResponse:
        """``{"ready": true}`` once the server has seeded a fresh database and read its
        caches (every request then answers at its warm speed); until then 503 with
        ``{"ready": false, "seeding": ...}`` and ``Retry-After: 1``. Touches nothing."""
        state = app.state.fttrack
        if state.ready.is_set():
            return JSONResponse({"ready": True})
        body = {"ready": False, "seeding": state.seeding.active}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})

    return app


def seed_in_background(
    cache: SummaryCache,
    store: Store,
    snapshot: Path | None = None,
    *,
    seeding: Seeding | None = None,
) -> bool:
    """Seed an empty ``store`` from the snapshot, in a separate process, while ``cache``
    answers from that snapshot; False (and nothing done) when the store holds projects or
    there is no snapshot. Blocks until the seed ends: call it from a background thread.
    ``seeding``: the state the write routes defer to (its deferred writes are left for
    :meth:`Seeding.finish`)."""
    from tracker.datafiles import snapshot_path

    path = snapshot or snapshot_path()
    if store.project_count() > 0 or not path.is_file():
        return False
    return (seeding or Seeding()).run(cache, store, path)


def install_offline_docs(app: FastAPI) -> None:
    """``/docs``: Swagger UI from the files of the ``swagger-ui-bundle`` package, served
    by this app under ``/docs-assets`` (no CDN: the page works without a network)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="fttrack API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )
