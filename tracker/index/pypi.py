"""The index client over PyPI's simple API (PEP 691 JSON, PEP 503 HTML fallback).

The base URL is the simple-API root (``.../simple/``), from
:func:`tracker.config.resolve_index_url` unless given explicitly. A project
page is ``{base}{normalised name}/``, asked for as JSON first
(``application/vnd.pypi.simple.v1+json``); an index that answers HTML is
parsed as PEP 503.

Change detection, cheapest first:

1. ``known_etag`` is sent as ``If-None-Match``; ``304`` means unchanged, no body.
2. ``known_serial`` is compared with the ``X-PyPI-Last-Serial`` header before
   the body is read; equal means unchanged, and the body is never downloaded.
3. Otherwise the page is read and its ``meta._last-serial`` compared.

Core metadata comes from the PEP 658 ``.metadata`` file when the page offers it
(checked against its sha256), else from the wheel by range requests
(:mod:`tracker.index.metadata`).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Coroutine, Iterable
from typing import Any, TypeVar

import httpx
from packaging.utils import canonicalize_name

from tracker.config import resolve_index_url
from tracker.errors import IndexUnavailable, ProjectNotFound
from tracker.index.http import Fetcher, RetryPolicy
from tracker.index.interface import (
    CoreMetadata,
    FetchResult,
    IndexFile,
    KnownState,
    ProjectPage,
    Unchanged,
)
from tracker.index.metadata import metadata_from_wheel, parse_core_metadata
from tracker.index.parse import parse_html_page, parse_json_page, parse_serial

__all__ = ["ACCEPT", "PypiIndex", "SyncPypiIndex", "fetch_many"]

#: PEP 691 content negotiation: JSON preferred, HTML accepted.
ACCEPT = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)
_SERIAL_HEADER = "X-PyPI-Last-Serial"
_T = TypeVar("_T")


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _is_html(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("text/html", "application/xhtml+xml") or media.endswith("+html")


class PypiIndex:
    """:class:`~tracker.index.interface.Index` over a simple-API index.

    ``concurrency`` bounds requests in flight; ``timeout`` is per network
    operation (connect, read); ``retry`` sets attempts and backoff;
    ``max_page_bytes`` caps a project page, ``max_wheel_bytes`` a whole-wheel
    fallback download. ``transport`` (e.g. :class:`httpx.MockTransport`) or a
    ready ``client`` may be passed for tests.
    """

    def __init__(
        self,
        index_url: str | None = None,
        *,
        concurrency: int = 8,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        max_page_bytes: int = 64 * 1024 * 1024,
        max_wheel_bytes: int = 512 * 1024 * 1024,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.index_url = (index_url or resolve_index_url()).rstrip("/") + "/"
        self.max_wheel_bytes = max_wheel_bytes
        self.fetcher = Fetcher(
            concurrency=concurrency,
            timeout=timeout,
            retry=retry,
            max_bytes=max_page_bytes,
            client=client,
            transport=transport,
        )

    async def __aenter__(self) -> PypiIndex:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close connections (only those this object opened)."""
        await self.fetcher.aclose()

    def project_url(self, name: str) -> str:
        """The simple-API page URL of ``name`` (normalised per PEP 503)."""
        return f"{self.index_url}{canonicalize_name(name)}/"

    async def get_project(self, name: str) -> ProjectPage:
        """The project's page, always read in full."""
        result = await self.fetch_project(name)
        assert isinstance(result, ProjectPage)  # no known state: never Unchanged
        return result

    async def fetch_project(
        self,
        name: str,
        known_serial: int | None = None,
        known_etag: str | None = None,
    ) -> FetchResult:
        """The project's page, or :class:`Unchanged` if it matches ``known_serial``/``known_etag``.

        Raises :class:`~tracker.errors.ProjectNotFound` (404/410) and
        :class:`~tracker.errors.IndexUnavailable` (unreachable, malformed, too large).
        """
        normalised = canonicalize_name(name)
        what = f"project {normalised!r}"
        headers = {"Accept": ACCEPT}
        if known_etag:
            headers["If-None-Match"] = known_etag

        def header_says_unchanged(response: httpx.Response) -> bool:
            if response.status_code != 200 or known_serial is None:
                return False
            return parse_serial(response.headers.get(_SERIAL_HEADER)) == known_serial

        fetched = await self.fetcher.get(
            self.project_url(normalised),
            what=what,
            headers=headers,
            skip_body=header_says_unchanged,
        )
        etag = fetched.headers.get("ETag")
        if fetched.status == 304:
            return Unchanged(normalised, known_serial, etag or known_etag)
        if fetched.skipped:
            return Unchanged(normalised, known_serial, etag)
        if fetched.status in (404, 410):
            raise ProjectNotFound(f"{what}: not found on the index ({fetched.status})")
        if fetched.status != 200:
            raise IndexUnavailable(f"{what}: the index answered HTTP {fetched.status}")
        content_type = fetched.headers.get("Content-Type", "")
        serial_header = fetched.headers.get(_SERIAL_HEADER)
        if _is_json(content_type):
            page = parse_json_page(
                fetched.body,
                name=normalised,
                page_url=fetched.url,
                serial_header=serial_header,
                etag=etag,
            )
        elif _is_html(content_type):
            page = parse_html_page(
                fetched.body,
                name=normalised,
                page_url=fetched.url,
                serial_header=serial_header,
                etag=etag,
            )
        else:
            raise IndexUnavailable(f"{what}: unexpected content type {content_type!r}")
        if known_serial is not None and page.last_serial == known_serial:
            return Unchanged(normalised, page.last_serial, etag)
        return page

    async def fetch_metadata(self, file: IndexFile) -> CoreMetadata:
        """Core metadata of ``file``: its ``.metadata`` file if offered, else range requests.

        An offered ``.metadata`` file that is missing (404) is tolerated (some
        mirrors lack them) and the wheel is read instead. Raises
        :class:`~tracker.errors.IndexUnavailable` for sdists without a ``.metadata``
        file and for unreadable wheels.
        """
        what = f"metadata of {file.filename!r}"
        if file.has_metadata:
            fetched = await self.fetcher.get(
                file.url + ".metadata", what=what, max_bytes=16 * 1024 * 1024
            )
            if fetched.status == 200:
                expected = dict(file.metadata_hashes).get("sha256")
                if expected and hashlib.sha256(fetched.body).hexdigest() != expected.lower():
                    raise IndexUnavailable(f"{what}: sha256 of the .metadata file does not match")
                return parse_core_metadata(fetched.body, source="metadata-file", what=what)
            if fetched.status not in (403, 404, 410):
                raise IndexUnavailable(f"{what}: the index answered HTTP {fetched.status}")
        if not file.is_wheel:
            raise IndexUnavailable(
                f"{what}: only wheels carry readable metadata without a .metadata file"
            )
        return await metadata_from_wheel(self.fetcher, file, max_download=self.max_wheel_bytes)


async def fetch_many(
    index: PypiIndex,
    names: Iterable[str],
    known: KnownState | None = None,
) -> dict[str, FetchResult | IndexUnavailable]:
    """Fetch many projects concurrently (bounded by the index's semaphore).

    ``known`` maps normalised names to ``(serial, etag)`` from an earlier crawl.
    Failures are values in the result (``IndexUnavailable``/``ProjectNotFound``), so
    one bad project does not stop a crawl.
    """
    known = known or {}

    async def one(name: str) -> tuple[str, FetchResult | IndexUnavailable]:
        serial, etag = known.get(name, (None, None))
        try:
            return name, await index.fetch_project(name, serial, etag)
        except IndexUnavailable as exc:
            return name, exc

    normalised = list(dict.fromkeys(canonicalize_name(n) for n in names))
    results = await asyncio.gather(*(one(n) for n in normalised))
    return dict(results)


class SyncPypiIndex:
    """A blocking wrapper of :class:`PypiIndex` for scripts and the CLI.

    Owns a private event loop; do not use it from inside a running loop.
    """

    def __init__(self, index_url: str | None = None, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._index = PypiIndex(index_url, **options)

    def _run(self, awaitable: Awaitable[_T]) -> _T:
        async def wrap() -> _T:
            return await awaitable

        coroutine: Coroutine[Any, Any, _T] = wrap()
        return self._loop.run_until_complete(coroutine)

    @property
    def index_url(self) -> str:
        """The simple-API base URL in use."""
        return self._index.index_url

    def fetch_project(
        self, name: str, known_serial: int | None = None, known_etag: str | None = None
    ) -> FetchResult:
        """See :meth:`PypiIndex.fetch_project`."""
        return self._run(self._index.fetch_project(name, known_serial, known_etag))

    def get_project(self, name: str) -> ProjectPage:
        """See :meth:`PypiIndex.get_project`."""
        return self._run(self._index.get_project(name))

    def fetch_metadata(self, file: IndexFile) -> CoreMetadata:
        """See :meth:`PypiIndex.fetch_metadata`."""
        return self._run(self._index.fetch_metadata(file))

    def fetch_many(
        self, names: Iterable[str], known: KnownState | None = None
    ) -> dict[str, FetchResult | IndexUnavailable]:
        """See :func:`fetch_many`."""
        return self._run(fetch_many(self._index, names, known))

    def close(self) -> None:
        """Close connections and the private loop."""
        if not self._loop.is_closed():
            self._loop.run_until_complete(self._index.aclose())
            self._loop.close()

    def __enter__(self) -> SyncPypiIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
