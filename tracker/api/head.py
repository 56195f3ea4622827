"""HEAD on every GET route: answered as the GET would be, without the body (RFC 9110 §9.3.2).

FastAPI registers a route for exactly the methods it names, so a ``HEAD``
to a GET route would answer 405. :class:`HeadAsGet` routes a HEAD request as
a GET and drops the body it produces; the status and every header (ETag,
Content-Type, Content-Length, Cache-Control) are the GET's own.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet"]


class HeadAsGet:
    """ASGI middleware: answer ``HEAD`` like ``GET``, with an empty body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the server ends the response with the last (empty) part
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
