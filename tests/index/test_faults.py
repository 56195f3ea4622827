"""Every fault the loopback index scripts: the client recovers or fails cleanly, in bounded time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.indexserver import Fault, IndexServer
from tests.index.wheelkit import build_wheel
from tracker.errors import IndexUnavailable
from tracker.index import FetchResult, ProjectPage, PypiIndex, RetryPolicy

PATH = "/simple/demo/"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[IndexServer]:
    """An index with one project, ``demo``."""
    with IndexServer() as server:
        server.add_wheel_file(build_wheel(tmp_path, "demo", "1.0"))
        yield server


def fetch_timed(
    server: IndexServer, retry: RetryPolicy, **options: object
) -> tuple[FetchResult | IndexUnavailable, float]:
    async def go() -> FetchResult:
        async with PypiIndex(server.index_url, retry=retry, **options) as index:  # type: ignore[arg-type]
            return await index.fetch_project("demo")

    started = time.monotonic()
    try:
        result: FetchResult | IndexUnavailable = asyncio.run(go())
    except IndexUnavailable as exc:
        result = exc
    return result, time.monotonic() - started


def test_429_retry_after_is_honoured(server: IndexServer, fast_retry: RetryPolicy) -> None:
    server.add_fault(PATH, Fault("status", status=429, retry_after="0.6"))
    result, elapsed = fetch_timed(server, fast_retry)
    assert isinstance(result, ProjectPage)
    assert server.requests_to(PATH) == 2
    assert 0.55 <= elapsed < 3


def test_429_retry_after_is_capped(server: IndexServer) -> None:
    server.add_fault(PATH, Fault("status", status=429, retry_after="3600"))
    retry = RetryPolicy(attempts=2, backoff=0.01, max_retry_after=0.3)
    result, elapsed = fetch_timed(server, retry)
    assert isinstance(result, ProjectPage)
    assert elapsed < 2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(
    server: IndexServer, fast_retry: RetryPolicy, status: int
) -> None:
    server.add_fault(PATH, Fault("status", status=status, times=2))
    result, elapsed = fetch_timed(server, fast_retry)
    assert isinstance(result, ProjectPage)
    assert server.requests_to(PATH) == 3
    assert elapsed < 3


def test_persistent_503_fails_cleanly(server: IndexServer, fast_retry: RetryPolicy) -> None:
    server.add_fault(PATH, Fault("status", status=503, retry_after="0.1", times=None))
    result, elapsed = fetch_timed(server, fast_retry)
    assert isinstance(result, IndexUnavailable)
    assert "project 'demo'" in str(result) and "HTTP 503" in str(result)
    assert "3 attempts" in str(result)
    assert server.requests_to(PATH) == 3
    assert elapsed < 3


def test_client_error_is_not_retried(server: IndexServer, fast_retry: RetryPolicy) -> None:
    server.add_fault(PATH, Fault("status", status=403, times=None))
    result, _ = fetch_timed(server, fast_retry)
    assert isinstance(result, IndexUnavailable) and "HTTP 403" in str(result)
    assert server.requests_to(PATH) == 1


def test_slow_answer_times_out_then_retry_succeeds(
    server: IndexServer, fast_retry: RetryPolicy
) -> None:
    server.add_fault(PATH, Fault("delay", seconds=5))
    result, elapsed = fetch_timed(server, fast_retry, timeout=0.3)
    assert isinstance(result, ProjectPage)
    assert server.requests_to(PATH) >= 1  # the delayed one is logged only when it wakes
    assert elapsed < 2


def test_always_slow_fails_with_timeout(server: IndexServer, fast_retry: RetryPolicy) -> None:
    server.add_fault(PATH, Fault("delay", seconds=5, times=None))
    result, elapsed = fetch_timed(server, fast_retry, timeout=0.2)
    assert isinstance(result, IndexUnavailable)
    assert "timed out" in str(result) and "project 'demo'" in str(result)
    assert elapsed < 3


def test_truncated_json_is_a_clear_error(server: IndexServer, fast_retry: RetryPolicy) -> None:
    server.add_fault(PATH, Fault("truncate", times=None))
    result, elapsed = fetch_timed(server, fast_retry)
    assert isinstance(result, IndexUnavailable)
    assert "project 'demo'" in str(result) and "JSON" in str(result)
    assert elapsed < 2


def test_malformed_json_is_a_clear_error(server: IndexServer, fast_retry: RetryPolicy) -> None:
    server.add_fault(PATH, Fault("malformed"))
    result, _ = fetch_timed(server, fast_retry)
    assert isinstance(result, IndexUnavailable)
    assert "project 'demo'" in str(result) and "malformed" in str(result)


def test_connection_dropped_mid_body_is_retried(
    server: IndexServer, fast_retry: RetryPolicy
) -> None:
    server.add_fault(PATH, Fault("drop"))
    result, elapsed = fetch_timed(server, fast_retry)
    assert isinstance(result, ProjectPage)
    assert server.requests_to(PATH) == 2
    assert elapsed < 2


@pytest.mark.parametrize("declare_length", [True, False])
def test_huge_response_is_refused(
    server: IndexServer, fast_retry: RetryPolicy, declare_length: bool
) -> None:
    server.add_fault(
        PATH, Fault("huge", size=50 * 1024 * 1024, declare_length=declare_length, times=None)
    )
    result, elapsed = fetch_timed(server, fast_retry, max_page_bytes=1024 * 1024)
    assert isinstance(result, IndexUnavailable)
    assert "limit" in str(result) and "project 'demo'" in str(result)
    assert server.requests_to(PATH) <= 1 or not declare_length  # refused, not retried
    assert elapsed < 3


def test_connection_refused_fails_cleanly(fast_retry: RetryPolicy) -> None:
    with IndexServer() as server:
        url = server.index_url

    async def go() -> FetchResult:
        async with PypiIndex(url, retry=fast_retry, timeout=1) as index:
            return await index.fetch_project("demo")

    started = time.monotonic()
    with pytest.raises(IndexUnavailable, match=r"project 'demo'.*ConnectError"):
        asyncio.run(go())
    assert time.monotonic() - started < 3
