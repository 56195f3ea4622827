"""Routes: the shields.io endpoint badge and the SVG badge of a project on a target.

Badges are the hottest path of the service (every README view asks), so
:class:`BadgeFastPath` answers ``GET /badges/NAME.json|.svg`` (with no query,
or exactly ``target=T`` for a known target) straight from the
:class:`~tracker.api.cache.SummaryCache`, before routing and dependency
injection. Anything else (another query, an unknown target) goes on to the
routes below, which answer the same bodies, validate the query and document
the badges in the OpenAPI schema. A target fttrack does not know answers a grey
"unknown target" badge (a README's badge shows it; a 422 draws a broken image).

``?check=threads`` is the threads badge: the current release's own tests run in
threads without the GIL (its stress status, docs/stress.md) instead of its
import verdict.
"""

from __future__ import annotations

import enum
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from tracker.api.cache import BadgeRenderer
from tracker.api.schemas import BadgeEndpoint
from tracker.api.state import AppState, get_state
from tracker.api.validate import shorten
from tracker.badge_render import (
    CACHE_SECONDS,
    badge_svg,
    render_svg,
    shields_endpoint,
    stress_badge_svg,
    stress_shields_endpoint,
)
from tracker.documents import TARGET_NAMES, ProjectSummary
from tracker.models import get_target

__all__ = ["BadgeFastPath", "badge_body", "router"]

router = APIRouter(prefix="/badges", tags=["badges"])

_TARGET = Annotated[
    str | None,
    Query(
        max_length=200,
        description=f"the free-threaded target ({', '.join(TARGET_NAMES)}; 3.14 and cp314t "
        "name 3.14t) [default: the newest one with probes]; another answers a grey "
        "'unknown target' badge",
    ),
]


class BadgeCheck(enum.StrEnum):
    """What a badge speaks of."""

    #: The import verdict (the default).
    IMPORT = "import"
    #: The stress status: the release's own tests in threads without the GIL.
    THREADS = "threads"


_CHECK = Annotated[
    BadgeCheck,
    Query(description="import: the import verdict; threads: the release's own tests in threads"),
]
_CACHE_CONTROL = f"public, max-age={CACHE_SECONDS // 12}"
_CACHE = {"Cache-Control": _CACHE_CONTROL}
_MEDIA = {"json": "application/json", "svg": "image/svg+xml"}


def _render_json(summary: ProjectSummary | None, target: str) -> bytes:
    return json.dumps(shields_endpoint(summary, target)).encode()


def _render_svg(summary: ProjectSummary | None, target: str) -> bytes:
    return badge_svg(summary, target).encode()


def _render_threads_json(summary: ProjectSummary | None, target: str) -> bytes:
    return json.dumps(stress_shields_endpoint(summary, target)).encode()


def _render_threads_svg(summary: ProjectSummary | None, target: str) -> bytes:
    return stress_badge_svg(summary, target).encode()


_RENDER: dict[str, BadgeRenderer] = {
    "json": _render_json,
    "svg": _render_svg,
    "threads-json": _render_threads_json,
    "threads-svg": _render_threads_svg,
}


async def badge_body(state: AppState, name: str, kind: str, target: str | None) -> bytes:
    """The badge of ``name`` (``kind`` json or svg, ``threads-`` in front for the threads
    badge) on ``target`` (None: the default one; a name fttrack does not know: a grey
    "unknown target" badge), memoised by the cache until the project's summary changes."""
    if target is not None:
        try:
            target = get_target(target).name
        except ValueError:
            return _unknown_target(target, kind)
    _tracked, body = await state.cache.badge_async(name, target, kind, _RENDER[kind])
    return body


def _unknown_target(target: str, kind: str) -> bytes:
    """The grey badge of a target fttrack does not know (``kind`` as :func:`badge_body`'s).

    >>> json.loads(_unknown_target("3.99t", "json"))["message"]
    "unknown target '3.99t'"
    """
    label = "threads" if kind.startswith("threads-") else "free-threaded"
    message = f"unknown target {shorten(target, 16)}"
    if kind.endswith("svg"):
        return render_svg(label, message, "lightgrey").encode()
    endpoint = {
        "schemaVersion": 1,
        "label": label,
        "message": message,
        "color": "lightgrey",
        "cacheSeconds": CACHE_SECONDS,
    }
    return json.dumps(endpoint).encode()


@router.get(
    "/{name}.json",
    response_model=BadgeEndpoint,
    summary="shields.io endpoint badge",
)
async def badge_json(
    name: str,
    state: Annotated[AppState, Depends(get_state)],
    target: _TARGET = None,
    check: _CHECK = BadgeCheck.IMPORT,
) -> Response:
    """The shields.io endpoint badge: ``schemaVersion``, ``label``, ``message``, ``color``,
    ``cacheSeconds``.

    An untracked project answers 200 with a grey "not tracked" badge (shields.io shows
    a 404 as "not found" without reading it). ``check=threads``: the threads badge
    (the stress status; "not run" when the current release was not stressed).
    """
    kind = _kind("json", check)
    body = await badge_body(state, name, kind, target)
    return Response(body, media_type=_MEDIA["json"], headers=_CACHE)


@router.get(
    "/{name}.svg",
    response_class=Response,
    responses={
        200: {
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
            "description": "the badge (grey, 'not tracked', for an untracked project)",
        },
    },
    summary="SVG badge",
)
async def badge_image(
    name: str,
    state: Annotated[AppState, Depends(get_state)],
    target: _TARGET = None,
    check: _CHECK = BadgeCheck.IMPORT,
) -> Response:
    """An SVG badge drawn by fttrack; an untracked project answers 200 with a grey badge.
    ``check=threads``: the threads badge (the stress status)."""
    kind = _kind("svg", check)
    body = await badge_body(state, name, kind, target)
    return Response(body, media_type=_MEDIA["svg"], headers=_CACHE)


def _kind(kind: str, check: BadgeCheck) -> str:
    return f"threads-{kind}" if check is BadgeCheck.THREADS else kind


_PREFIX = "/badges/"
_QUERIES: dict[bytes, str | None] = {
    b"": None,
    **{f"target={t}".encode(): t for t in TARGET_NAMES},
}
_SUFFIXES = ((".svg", "svg"), (".json", "json"))


class BadgeFastPath:
    """ASGI middleware: ``GET /badges/NAME.{json,svg}[?target=T]`` answered from the cache.

    Same bodies and headers as the routes; a request it does not recognise
    exactly is passed on to them untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            query: bytes = scope.get("query_string", b"")
            if path.startswith(_PREFIX) and query in _QUERIES:
                for suffix, kind in _SUFFIXES:
                    if path.endswith(suffix):
                        name = path[len(_PREFIX) : -len(suffix)]
                        if name and "/" not in name:
                            state = scope["app"].state.fttrack
                            body = await badge_body(state, name, kind, _QUERIES[query])
                            await _respond(send, body, _MEDIA[kind])
                            return
                        break
        await self.app(scope, receive, send)


async def _respond(send: Send, body: bytes, media_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"cache-control", _CACHE_CONTROL.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"content-type", media_type.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
