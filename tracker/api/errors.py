"""Every error answer is JSON with an ``error`` string; none carries a traceback or SQL.

- HTTP errors (404, 401, ...): ``{"error": "..."}`` with their status.
- Request validation (422): ``{"error": "<first problem>", "detail": [...]}``
  (``detail`` is FastAPI's usual list).
- The database cannot be reached (connection refused, lost, timed out): 503
  ``{"error": "the database is unavailable"}``; its file or pages are damaged:
  503 ``{"error": "the database is damaged: <its words>"}``; any other database
  error is a 500.
- One project's stored row cannot be decoded (and any other fttrack error): 503
  with the error's one line, naming the project; the other projects answer.
- Anything else a route raises: 500 ``{"error": "internal error"}``.

The same answers come from routes and from the middleware that answers before
routing (the badges' fast path).

Each 5xx is logged as one line (method, path, exception type and its first
line): no traceback, no SQL statement, no parameters. Error messages and log
lines are redacted (:func:`tracker.redact.safe_line`: no credentials of a URL,
no control characters).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.errors import FttrackError
from tracker.redact import safe_line
from tracker.store.damaged import damaged_database_words

__all__ = ["CatchAllErrors", "describe", "error_answer", "install_error_handlers"]

log = logging.getLogger(__name__)

_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
_LINE = 300


def describe(exc: BaseException) -> str:
    """``Type: first line`` of an exception, without SQL (a driver's own words for DB errors).

    >>> describe(ValueError("Exceeds the limit (4300 digits)\\nmore"))
    'ValueError: Exceeds the limit (4300 digits)'
    """
    inner = getattr(exc, "orig", None) if isinstance(exc, SQLAlchemyError) else None
    shown = inner if isinstance(inner, BaseException) else exc
    text = str(shown) if not isinstance(exc, SQLAlchemyError) or inner is not None else ""
    lines = text.strip().splitlines()
    line = f"{type(shown).__name__}: {safe_line(lines[0])}" if lines else type(shown).__name__
    return line if len(line) <= _LINE else line[: _LINE - 3] + "..."


def error_answer(exc: Exception) -> JSONResponse:
    """The JSON answer for an exception a route (or a middleware) raised."""
    if isinstance(exc, SQLAlchemyError):
        words = damaged_database_words(exc)
        if words is not None:
            return JSONResponse(
                {"error": f"the database is damaged: {safe_line(words)}"}, status_code=503
            )
        if isinstance(exc, _UNAVAILABLE):
            return JSONResponse({"error": "the database is unavailable"}, status_code=503)
    elif isinstance(exc, FttrackError):
        return JSONResponse({"error": safe_line(str(exc))}, status_code=503)
    return JSONResponse({"error": "internal error"}, status_code=500)


def _where(scope: Scope) -> str:
    path = str(scope.get("path", ""))
    shown = safe_line(path if len(path) <= 120 else path[:117] + "...")
    return f"{scope.get('method', '?')} {shown!r}"


class CatchAllErrors:
    """ASGI middleware: an exception no handler took becomes a 500 JSON answer and one log line.

    Starlette's own last-resort handler answers ``text/plain`` and re-raises,
    so the server logs a traceback per request; this one does neither.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            log.error("%s failed: %s", _where(scope), describe(exc))
            if started:  # too late for a JSON answer: end the response
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await error_answer(exc)(scope, receive, send)


def _first_problem(errors: Any) -> str:
    try:
        first = errors[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        if first.get("type") == "string_pattern_mismatch":  # the pattern is in the schema
            return f"{where}: not in the form the schema gives"
        return f"{where}: {first.get('msg', 'invalid')}"[:_LINE]
    except (IndexError, TypeError, AttributeError, KeyError):
        return "the request is not valid"


def install_error_handlers(app: FastAPI) -> None:
    """Turn HTTP errors, validation errors, store errors and crashes into ``{"error": ...}``."""
    app.add_middleware(CatchAllErrors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        detail = [
            {k: v for k, v in e.items() if k in ("type", "loc", "msg")}
            for e in errors
            if isinstance(e, dict)
        ]
        return JSONResponse({"error": _first_problem(errors), "detail": detail}, status_code=422)

    @app.exception_handler(SQLAlchemyError)
    async def database_error(request: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.error("%s failed: %s", _where(request.scope), describe(exc))
        return error_answer(exc)

    @app.exception_handler(FttrackError)
    async def fttrack_error(_request: Request, exc: FttrackError) -> JSONResponse:
        return error_answer(exc)
