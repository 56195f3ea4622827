"""Routes: the verified badge (what was verified on a target, and when) of a project.

``/badges/NAME/verified.svg`` and ``/badges/NAME/verified.json`` (shields.io endpoint):
``3.14t ready · probed 2026-12-01``, or ``3.14t ready · threads passed`` when the
current release's own tests passed in threads. The Markdown a maintainer pastes links
it to the project's page on the tracker (:func:`tracker.badge_render.verified_markdown`,
docs/api.md).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from tracker.api.cache import BadgeRenderer
from tracker.api.schemas import TargetName
from tracker.api.state import AppState, get_state
from tracker.badge_render import CACHE_SECONDS, verified_badge_svg, verified_shields_endpoint
from tracker.documents import ProjectSummary

__all__ = ["router"]

router = APIRouter(prefix="/badges", tags=["badges"])

_TARGET = Annotated[
    TargetName | None,
    Query(description="the free-threaded target [default: the newest one with probes]"),
]
_HEADERS = {"Cache-Control": f"public, max-age={CACHE_SECONDS // 12}"}


def _json(summary: ProjectSummary | None, target: str) -> bytes:
    return json.dumps(verified_shields_endpoint(summary, target)).encode()


def _svg(summary: ProjectSummary | None, target: str) -> bytes:
    return verified_badge_svg(summary, target).encode()


_RENDER: dict[str, BadgeRenderer] = {"verified-json": _json, "verified-svg": _svg}


@router.get("/{name}/verified.json", summary="Verified badge (shields.io endpoint)")
async def verified_json(
    name: str, state: Annotated[AppState, Depends(get_state)], target: _TARGET = None
) -> Response:
    """``{"label": "free-threading", "message": "3.14t ready · probed 2026-12-01", ...}``;
    an untracked project answers 200 with a grey badge."""
    chosen = None if target is None else target.value
    _tracked, body = await state.cache.badge_async(
        name, chosen, "verified-json", _RENDER["verified-json"]
    )
    return Response(body, media_type="application/json", headers=_HEADERS)


@router.get(
    "/{name}/verified.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
    summary="Verified badge (SVG)",
)
async def verified_svg(
    name: str, state: Annotated[AppState, Depends(get_state)], target: _TARGET = None
) -> Response:
    """The verified badge drawn by fttrack."""
    chosen = None if target is None else target.value
    _tracked, body = await state.cache.badge_async(
        name, chosen, "verified-svg", _RENDER["verified-svg"]
    )
    return Response(body, media_type="image/svg+xml", headers=_HEADERS)
