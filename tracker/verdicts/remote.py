"""Verdicts from a running fttrack server over its JSON API.

``GET {server}/api/v1/projects/{name}`` returns the project document (404:
not tracked); ``GET {server}/api/v1/feed.json`` the summary feed.
``GET {server}/api/v1/targets`` may list the server's targets
(``{"targets": [...]}``); without it, fttrack's known targets are assumed.
"""

from __future__ import annotations

from typing import Any

import httpx

from tracker.documents import (
    FEED_SCHEMA,
    DocumentError,
    ProjectDocument,
    ProjectSummary,
    decode_document,
    decode_summary_feed,
    probed_targets,
)
from tracker.errors import SourceError
from tracker.models import TARGETS

__all__ = ["RemoteSource"]

_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class RemoteSource:
    """Project documents from a fttrack server's ``/api/v1``."""

    kind = "server"

    def __init__(
        self,
        server: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float | httpx.Timeout = _TIMEOUT,
    ) -> None:
        if not server.startswith(("http://", "https://")):
            raise SourceError(f"--server {server!r}: expected an http:// or https:// URL")
        self.server = server.rstrip("/")
        self._client = httpx.Client(
            base_url=self.server,
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json"},
            follow_redirects=True,
        )
        self._targets: tuple[str, ...] | None = None

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def _get(self, path: str) -> httpx.Response:
        try:
            return self._client.get(path)
        except httpx.TimeoutException:
            raise SourceError(f"fttrack server {self.server} timed out ({path})") from None
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise SourceError(f"cannot reach fttrack server {self.server}: {reason}") from None

    def _json(self, response: httpx.Response, path: str) -> Any:
        if response.status_code != 200:
            raise SourceError(
                f"fttrack server {self.server}: HTTP {response.status_code} for {path}"
            )
        try:
            return response.json()
        except ValueError:
            raise SourceError(f"fttrack server {self.server}: {path} did not return JSON") from None

    def _body(self, response: httpx.Response, path: str) -> bytes:
        if response.status_code != 200:
            raise SourceError(
                f"fttrack server {self.server}: HTTP {response.status_code} for {path}"
            )
        return response.content

    def project(self, name: str) -> ProjectDocument | None:
        """``GET /api/v1/projects/{name}``; None on 404."""
        path = f"/api/v1/projects/{name}"
        response = self._get(path)
        if response.status_code == 404:
            return None
        try:
            return decode_document(self._body(response, path))
        except DocumentError as exc:
            raise SourceError(f"fttrack server {self.server}: {path}: {exc}") from None

    def summaries(self) -> list[ProjectSummary]:
        """``GET /api/v1/feed.json``: the summary of every project the server tracks."""
        path = "/api/v1/feed.json"
        response = self._get(path)
        try:
            feed = decode_summary_feed(self._body(response, path))
        except DocumentError as exc:
            raise SourceError(f"fttrack server {self.server}: {path}: {exc}") from None
        if feed.schema != FEED_SCHEMA:
            raise SourceError(
                f"fttrack server {self.server}: {path}: feed schema {feed.schema}, "
                f"this fttrack reads {FEED_SCHEMA}"
            )
        return feed.projects

    def targets(self) -> tuple[str, ...]:
        """The server's targets (``/api/v1/targets``), else fttrack's known targets."""
        if self._targets is None:
            path = "/api/v1/targets"
            response = self._get(path)
            if response.status_code == 404:
                self._targets = tuple(t.name for t in TARGETS)
            else:
                body = self._json(response, path)
                raw = body.get("targets") if isinstance(body, dict) else body
                if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
                    raise SourceError(f"fttrack server {self.server}: {path}: expected a list")
                self._targets = tuple(raw)
        return self._targets

    def probed_targets(self) -> tuple[str, ...]:
        """Targets with at least one probe verdict on the server (from its summary feed)."""
        return probed_targets(self.summaries())

    def describe(self) -> str:
        """``remote SERVER``."""
        return f"remote {self.server}"
