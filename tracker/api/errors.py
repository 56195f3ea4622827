"""Every error answer is JSON ``{"error": "..."}`` (validation errors keep FastAPI's 422 body)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tracker.errors import FttrackError

__all__ = ["install_error_handlers"]

log = logging.getLogger(__name__)


def install_error_handlers(app: FastAPI) -> None:
    """Turn HTTP errors, store errors and crashes into ``{"error": ...}`` bodies."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(SQLAlchemyError)
    async def database_error(_request: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.error("database error: %s", exc)
        return JSONResponse({"error": "the database is unavailable"}, status_code=503)

    @app.exception_handler(FttrackError)
    async def fttrack_error(_request: Request, exc: FttrackError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=503)
