"""Verdicts from a running fttrack server over its JSON API.

``GET {server}/api/v1/projects/{name}`` returns the project document (404:
not tracked); ``GET {server}/api/v1/feed.json`` the summary feed.
``GET {server}/api/v1/targets`` may list the server's targets
(``{"targets": [...]}``); without it, fttrack's known targets are assumed.

Every request ends within :data:`DEADLINE` seconds in all (the read timeout alone
bounds each read, which a server trickling a byte every few seconds never trips),
and its body is refused past :data:`MAX_RESPONSE_BYTES`: a slow or hostile server
is one line on stderr, never a hang or a process grown by gigabytes. Credentials
in the server's URL (``http://user:token@host``, ``?token=``) are sent, never shown:
messages and reports name the server with them masked (:func:`tracker.redact.redact`).
"""

from __future__ import annotations

import contextlib
import json
import threading
from typing import Any, NamedTuple

import httpx

from tracker.documents import (
    FEED_SCHEMA,
    READABLE_FEED_SCHEMAS,
    DocumentError,
    ProjectDocument,
    ProjectSummary,
    decode_document,
    decode_summary_feed,
    probed_targets,
)
from tracker.errors import SourceError
from tracker.files import size_text
from tracker.models import TARGETS
from tracker.redact import redact, safe_line

__all__ = ["DEADLINE", "MAX_RESPONSE_BYTES", "RemoteSource"]

_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
#: Seconds one request may take in all (connecting, the headers, the whole body):
#: ``_TIMEOUT`` bounds each read only, and a server sending a byte every few seconds
#: never trips it.
DEADLINE = 30.0
#: Largest response body read (decoded); the summary feed of 5,000 projects is a few MB.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class _Answer(NamedTuple):
    """A response read whole: its status and body."""

    status_code: int
    content: bytes


class _Fetch:
    """One GET, read whole in a thread of its own so that the caller can stop waiting at
    the deadline, wherever the response is (a read blocked on a trickling server
    included); the body is read a chunk at a time and refused past its size cap."""

    def __init__(self, client: httpx.Client, path: str, limit: int) -> None:
        self.client = client
        self.path = path
        self.limit = limit
        self.answer: _Answer | None = None
        self.error: BaseException | None = None
        self.too_large = False
        self.stop = threading.Event()
        self.response: httpx.Response | None = None

    def run(self) -> None:
        try:
            with self.client.stream("GET", self.path) as response:
                self.response = response
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.limit:
                    self.too_large = True
                    return
                pieces: list[bytes] = []
                size = 0
                for piece in response.iter_bytes():
                    if self.stop.is_set():
                        return
                    size += len(piece)
                    if size > self.limit:
                        self.too_large = True
                        return
                    pieces.append(piece)
                self.answer = _Answer(response.status_code, b"".join(pieces))
        except BaseException as exc:  # handed to the caller's thread
            self.error = exc

    def cancel(self) -> None:
        """Stop reading: the thread ends at its next chunk (or when its socket closes)."""
        self.stop.set()
        response = self.response
        if response is not None:
            with contextlib.suppress(Exception):
                response.close()


class RemoteSource:
    """Project documents from a fttrack server's ``/api/v1``."""

    kind = "server"

    def __init__(
        self,
        server: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float | httpx.Timeout = _TIMEOUT,
        deadline: float = DEADLINE,
        max_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        if not server.startswith(("http://", "https://")):
            raise SourceError(
                f"--server {safe_line(server)!r}: expected an http:// or https:// URL"
            )
        self.server = server.rstrip("/")
        #: The server as messages and reports name it: credentials masked.
        self.shown = redact(self.server)
        self.deadline = deadline
        self.max_bytes = max_bytes
        try:
            self._client = httpx.Client(
                base_url=self.server,
                transport=transport,
                timeout=timeout,
                headers={"Accept": "application/json"},
                follow_redirects=True,
            )
        except (httpx.InvalidURL, ValueError):  # its words may quote a password as a port
            raise SourceError(f"--server {self.shown}: not a valid URL") from None
        self._targets: tuple[str, ...] | None = None

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def _get(self, path: str) -> _Answer:
        """``GET path``, read whole within :attr:`deadline` seconds and :attr:`max_bytes`."""
        fetch = _Fetch(self._client, path, self.max_bytes)
        worker = threading.Thread(target=fetch.run, name=f"fttrack GET {path}", daemon=True)
        worker.start()
        worker.join(self.deadline)
        if worker.is_alive():
            fetch.cancel()
            raise SourceError(
                f"fttrack server {self.shown} timed out ({path}: no whole answer "
                f"within {self.deadline:g} s)"
            )
        if fetch.too_large:
            raise SourceError(
                f"fttrack server {self.shown}: {path}: the answer is larger than "
                f"{size_text(self.max_bytes)}"
            )
        exc = fetch.error
        if isinstance(exc, httpx.TimeoutException):
            raise SourceError(f"fttrack server {self.shown} timed out ({path})") from None
        if isinstance(exc, httpx.RequestError):  # transport, decoding, redirects
            reason = redact(str(exc)) or type(exc).__name__
            raise SourceError(f"cannot reach fttrack server {self.shown}: {reason}") from None
        if exc is not None:
            raise exc
        assert fetch.answer is not None
        return fetch.answer

    def _json(self, response: _Answer, path: str) -> Any:
        if response.status_code != 200:
            raise SourceError(
                f"fttrack server {self.shown}: HTTP {response.status_code} for {path}"
            )
        try:
            return json.loads(response.content)
        except (ValueError, RecursionError):
            raise SourceError(f"fttrack server {self.shown}: {path} did not return JSON") from None

    def _body(self, response: _Answer, path: str) -> bytes:
        if response.status_code != 200:
            raise SourceError(
                f"fttrack server {self.shown}: HTTP {response.status_code} for {path}"
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
            raise SourceError(f"fttrack server {self.shown}: {path}: {exc}") from None

    def summaries(self) -> list[ProjectSummary]:
        """``GET /api/v1/feed.json``: the summary of every project the server tracks."""
        path = "/api/v1/feed.json"
        response = self._get(path)
        try:
            feed = decode_summary_feed(self._body(response, path))
        except DocumentError as exc:
            raise SourceError(f"fttrack server {self.shown}: {path}: {exc}") from None
        if feed.schema not in READABLE_FEED_SCHEMAS:
            raise SourceError(
                f"fttrack server {self.shown}: {path}: feed schema {feed.schema}, "
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
                    raise SourceError(f"fttrack server {self.shown}: {path}: expected a list")
                self._targets = tuple(raw)
        return self._targets

    def probed_targets(self) -> tuple[str, ...]:
        """Targets with at least one probe verdict on the server (from its summary feed)."""
        return probed_targets(self.summaries())

    def describe(self) -> str:
        """``remote SERVER``."""
        return f"remote {self.shown}"
