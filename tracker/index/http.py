"""HTTP for the index client: bounded concurrency, retries, size caps.

:class:`Fetcher` wraps one :class:`httpx.AsyncClient`. Every request holds a
slot of a semaphore while it is on the wire (not while it sleeps between
attempts), is retried with exponential backoff and full jitter on timeouts,
connection errors, ``429`` (honouring ``Retry-After``, capped) and ``5xx``, and
reads at most ``max_bytes`` of body. Failures become
:class:`tracker.errors.IndexUnavailable` with a message naming what was fetched.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from tracker import __version__
from tracker.errors import IndexUnavailable

__all__ = ["USER_AGENT", "Fetched", "Fetcher", "RetryPolicy"]

USER_AGENT = f"fttrack/{__version__} (free-threading tracker; httpx/{httpx.__version__})"

_RETRY_STATUSES = frozenset({429, *range(500, 600)})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry.

    Delay before attempt ``n`` (0-based, after a failure) is a random value in
    ``[0, min(max_backoff, backoff * 2**n)]`` (full jitter), or the server's
    ``Retry-After`` capped at ``max_retry_after`` when it sent one.
    """

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 20.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to sleep after failed attempt number ``attempt`` (0-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        ceiling = min(self.max_backoff, self.backoff * (2**attempt))
        return random.uniform(0, ceiling)


@dataclass(frozen=True)
class Fetched:
    """One completed HTTP exchange.

    ``body`` is empty when ``skipped`` (the caller's ``skip_body`` said so) or
    for statuses that carry none (304).
    """

    status: int
    url: str
    headers: httpx.Headers
    body: bytes = b""
    skipped: bool = False
    attempts: int = 1
    elapsed: float = field(default=0.0, compare=False)


class _Retry(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date).

    >>> parse_retry_after("3")
    3.0
    >>> parse_retry_after("soon") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


class Fetcher:
    """GET with retries, a concurrency bound and a body size cap."""

    def __init__(
        self,
        *,
        concurrency: int = 8,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        max_bytes: int = 64 * 1024 * 1024,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.retry = retry or RetryPolicy()
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._semaphore = asyncio.Semaphore(concurrency)
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            transport=transport,
        )

    async def aclose(self) -> None:
        """Close the underlying client if this fetcher created it."""
        if self._own_client:
            await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        what: str,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        skip_body: Callable[[httpx.Response], bool] | None = None,
    ) -> Fetched:
        """GET ``url``; retry transient failures; return any final status.

        ``what`` names the thing fetched in error messages (``"project 'numpy'"``).
        ``skip_body(response)`` may decide from the status and headers that the
        body is not needed (it is then not read). Raises
        :class:`~tracker.errors.IndexUnavailable` when every attempt failed, or the
        body is larger than ``max_bytes``.
        """
        limit = self.max_bytes if max_bytes is None else max_bytes
        attempts = self.retry.attempts
        started = time.monotonic()
        last_reason = "no attempt made"
        for attempt in range(attempts):
            retry_after: float | None = None
            try:
                async with self._semaphore:
                    fetched = await self._attempt(url, what, headers, limit, skip_body)
                return Fetched(
                    fetched.status,
                    fetched.url,
                    fetched.headers,
                    fetched.body,
                    fetched.skipped,
                    attempt + 1,
                    time.monotonic() - started,
                )
            except _Retry as exc:
                last_reason, retry_after = exc.reason, exc.retry_after
            except httpx.TimeoutException:
                last_reason = f"timed out after {self.timeout:g}s"
            except TimeoutError:
                last_reason = f"took longer than {self._deadline():g}s"
            except (httpx.TransportError, httpx.DecodingError) as exc:
                last_reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            except httpx.HTTPError as exc:  # invalid URL, too many redirects, ...
                raise IndexUnavailable(f"{what}: {url}: {exc}") from None
            if attempt + 1 < attempts:
                await asyncio.sleep(self.retry.delay(attempt, retry_after))
        raise IndexUnavailable(f"{what}: {last_reason} ({attempts} attempts, {url})")

    def _deadline(self) -> float:
        """Wall-clock bound on one attempt (a server dripping bytes cannot hold us)."""
        return self.timeout * 4

    async def _attempt(
        self,
        url: str,
        what: str,
        headers: Mapping[str, str] | None,
        limit: int,
        skip_body: Callable[[httpx.Response], bool] | None,
    ) -> Fetched:
        async with (
            asyncio.timeout(self._deadline()),
            self._client.stream("GET", url, headers=dict(headers or {})) as response,
        ):
            status = response.status_code
            if status in _RETRY_STATUSES:
                after = parse_retry_after(response.headers.get("Retry-After"))
                raise _Retry(f"HTTP {status}", after if status in (429, 503) else None)
            final_url = str(response.url)
            if skip_body is not None and skip_body(response):
                return Fetched(status, final_url, response.headers, skipped=True)
            declared = response.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise IndexUnavailable(
                    f"{what}: response of {int(declared)} bytes exceeds the {limit}-byte limit"
                )
            chunks: list[bytes] = []
            total = 0
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > limit:
                    raise IndexUnavailable(
                        f"{what}: response exceeds the {limit}-byte limit (stopped reading)"
                    )
                chunks.append(chunk)
            return Fetched(status, final_url, response.headers, b"".join(chunks))
