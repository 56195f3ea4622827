"""Routes: the shields.io endpoint badge and the SVG badge of a project on a target."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from tracker.api.schemas import BadgeEndpoint, TargetName
from tracker.api.state import AppState, get_state
from tracker.badges import CACHE_SECONDS, badge_svg, shields_endpoint

__all__ = ["router"]

router = APIRouter(prefix="/badges", tags=["badges"])

_TARGET = Annotated[
    TargetName | None,
    Query(description="the free-threaded target [default: the newest one with probes]"),
]
_CACHE = {"Cache-Control": f"public, max-age={CACHE_SECONDS // 12}"}


@router.get(
    "/{name}.json",
    response_model=BadgeEndpoint,
    summary="shields.io endpoint badge",
)
async def badge_json(
    name: str,
    state: Annotated[AppState, Depends(get_state)],
    target: _TARGET = None,
) -> Response:
    """The shields.io endpoint badge: ``schemaVersion``, ``label``, ``message``, ``color``,
    ``cacheSeconds``.

    An untracked project answers 200 with a grey "not tracked" badge (shields.io shows
    a 404 as "not found" without reading it).
    """
    chosen = target.value if target is not None else state.cache.default_target()
    _tracked, body = await state.cache.badge_async(
        name, chosen, "json", lambda summary: json.dumps(shields_endpoint(summary, chosen)).encode()
    )
    return Response(
        body,
        media_type="application/json",
        headers=_CACHE,
    )


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
) -> Response:
    """An SVG badge drawn by fttrack; an untracked project answers 200 with a grey badge."""
    chosen = target.value if target is not None else state.cache.default_target()
    _tracked, body = await state.cache.badge_async(
        name, chosen, "svg", lambda summary: badge_svg(summary, chosen).encode()
    )
    return Response(
        body,
        media_type="image/svg+xml",
        headers=_CACHE,
    )
