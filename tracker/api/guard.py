"""Slow and large clients: the token before the body, a body size limit, read deadlines.

- :class:`WriteGuard` (ASGI middleware, outside routing): a write route's
  request is refused before one byte of its body is read when the token is
  missing or wrong (401; 403 when writes are disabled) or when its
  ``Content-Length`` is over :data:`MAX_BODY` (413). A body without a length
  (chunked) is read up to that limit and refused past it; a body that takes
  longer than ``body_seconds`` to arrive answers 408. The route then parses
  the bytes already read.
- :func:`protocol_class`: uvicorn's HTTP protocol with a deadline on the
  request line and headers: a connection that has not sent a whole request
  head ``header_seconds`` after it opened (or after its previous answer) gets
  ``408`` and is closed, however slowly it drips bytes. Idle keep-alive
  connections are closed by uvicorn's own ``timeout_keep_alive``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "BODY_SECONDS",
    "HEADER_SECONDS",
    "KEEP_ALIVE_SECONDS",
    "MAX_BODY",
    "WriteGuard",
    "check_token",
    "protocol_class",
]

#: The largest write body read (1,000 names of 200 characters fit four times over).
MAX_BODY = 1 << 20
#: Seconds a write body may take to arrive.
BODY_SECONDS = 10.0
#: Seconds a request line and its headers may take to arrive.
HEADER_SECONDS = 10.0
#: Seconds an idle keep-alive connection is kept open.
KEEP_ALIVE_SECONDS = 5.0

_WRITES_DISABLED = "writes are disabled: set FTTRACK_API_TOKEN on the server"
_BAD_TOKEN = "a valid 'Authorization: Bearer <token>' header is required"


def check_token(configured: str | None, authorization: str | None) -> tuple[int, str] | None:
    """None when ``authorization`` (the header) carries the configured bearer token, else
    the (status, message) to refuse with: 403 when no token is configured, else 401.

    >>> check_token("t", "Bearer t"), check_token("t", "bearer t")
    (None, None)
    >>> check_token("t", "Bearer x")[0], check_token(None, "Bearer t")[0]
    (401, 403)
    """
    if not configured:
        return 403, _WRITES_DISABLED
    scheme, _, supplied = (authorization or "").strip().partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(
        supplied.strip().encode(), configured.encode()
    ):
        return None
    return 401, _BAD_TOKEN


class _BodyRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class WriteGuard:
    """ASGI middleware for the write routes (``paths``, any method but GET and HEAD):
    token first, then a body of at most ``max_body`` bytes read within ``body_seconds``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        paths: Iterable[str],
        max_body: int = MAX_BODY,
        body_seconds: float = BODY_SECONDS,
    ) -> None:
        self.app = app
        self.paths = frozenset(paths)
        self.max_body = max_body
        self.body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD")
            or scope["path"] not in self.paths
        ):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", ())}
        state = scope["app"].state.fttrack
        refused = check_token(state.api_token, _text(headers.get(b"authorization")))
        if refused is not None:
            extra = {"www-authenticate": "Bearer"} if refused[0] == 401 else {}
            await _answer(send, *refused, extra)
            return
        length = _text(headers.get(b"content-length"))
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _answer(send, 413, f"the body is larger than {self.max_body} bytes")
            return
        try:
            async with asyncio.timeout(self.body_seconds):
                body = await self._read(receive)
        except TimeoutError:
            await _answer(send, 408, f"the body did not arrive within {self.body_seconds:g} s")
            return
        except _BodyRefused as exc:
            await _answer(send, exc.status, exc.message)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _BodyRefused(400, "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _BodyRefused(413, f"the body is larger than {self.max_body} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then waits on the real one (disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(
    send: Send, status: int, message: str, extra: dict[str, str] | None = None
) -> None:
    """A JSON error answer; the connection is closed after it (the body may be unread)."""
    body = json.dumps({"error": message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *((k.encode(), v.encode()) for k, v in (extra or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_TIMEOUT_BODY = b'{"error": "the request head did not arrive in time"}'
_TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY)
)


def protocol_class(header_seconds: float = HEADER_SECONDS) -> type[Any]:
    """uvicorn's HTTP protocol (httptools, else h11) with a deadline on each request head."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as Base
    except ImportError:  # pragma: no cover - httptools is not installed
        from uvicorn.protocols.http.h11_impl import H11Protocol as Base  # type: ignore[assignment]

    class HeadDeadlineProtocol(Base):
        """Closes a connection whose request head is not complete ``header_seconds`` after
        the connection opened or its previous answer ended (or after its first byte)."""

        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            before = self.cycle
            waiting = before is None or before.response_complete
            super().data_received(data)
            if self.cycle is not before:  # a whole request head arrived
                self._disarm()
            elif waiting and self._deadline is None:
                self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._disarm()  # the keep-alive timeout watches the idle time; data re-arms

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(header_seconds, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            cycle = self.cycle
            if cycle is not None and not cycle.response_complete:
                return  # a request is being answered: not a head that is late
            if not self.transport.is_closing():
                self.transport.write(_TIMEOUT_ANSWER)
                self.transport.close()

    return HeadDeadlineProtocol
