"""Route: the summary feed, gzip when the client accepts it, strong ETag, 304 on If-None-Match."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response
from starlette.concurrency import run_in_threadpool

from tracker.api.openapi import json_response
from tracker.api.state import AppState, get_state
from tracker.documents import SummaryFeed

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["feed"])


def _matches(if_none_match: str, tags: tuple[str, ...]) -> bool:
    """True when an If-None-Match header names one of ``tags`` (weak comparison, RFC 9110)."""
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate in tags:
            return True
    return False


def _accepts_gzip(accept_encoding: str) -> bool:
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and q[2:].strip() in ("0", "0.0", "0.00", "0.000"))
    return False


@router.get(
    "/feed.json",
    response_class=Response,
    responses={
        200: json_response(SummaryFeed, "The summary feed"),
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
    },
    summary="The summary feed: one summary per tracked project",
)
async def get_feed(
    state: Annotated[AppState, Depends(get_state)],
    if_none_match: Annotated[str | None, Header()] = None,
    accept_encoding: Annotated[str | None, Header()] = None,
) -> Response:
    """The summary feed (``schema`` 2): per project and target, the current release's
    verdict, evidence, culprits, first ready version. Release history is behind
    ``/api/v1/projects/{name}``. Cache with the ETag; ask with ``Accept-Encoding: gzip``."""
    feed = await run_in_threadpool(state.cache.feed)
    gzipped = _accepts_gzip(accept_encoding or "")
    etag = feed.etag_gzip if gzipped else feed.etag
    headers = {
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "Cache-Control": "public, max-age=300",
        # what changed between releases: the changes feed (tracker.api.changes)
        "Link": '</api/v1/changes>; rel="related"; type="application/json", '
        '</changes.atom>; rel="alternate"; type="application/atom+xml"',
    }
    if if_none_match and _matches(if_none_match, (feed.etag, feed.etag_gzip)):
        return Response(status_code=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        return Response(feed.body_gzip, media_type="application/json", headers=headers)
    return Response(feed.body, media_type="application/json", headers=headers)
