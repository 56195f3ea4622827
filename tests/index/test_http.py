"""The HTTP layer: backoff arithmetic, Retry-After parsing, and the serve-from-a-process mode."""

from __future__ import annotations

import asyncio
import email.utils
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tracker.errors import IndexUnavailable
from tracker.index import ProjectPage, PypiIndex, RetryPolicy
from tracker.index.http import Fetcher, parse_retry_after

ROOT = Path(__file__).resolve().parent.parent.parent


def test_backoff_grows_with_full_jitter_and_caps() -> None:
    policy = RetryPolicy(backoff=0.5, max_backoff=3.0, max_retry_after=10.0)
    for attempt, ceiling in ((0, 0.5), (1, 1.0), (2, 2.0), (3, 3.0), (10, 3.0)):
        delays = [policy.delay(attempt, None) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # jitter spreads over the whole range
    assert policy.delay(0, 4.0) == 4.0
    assert policy.delay(0, 3600.0) == 10.0


def test_retry_after_http_date() -> None:
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    seconds = parse_retry_after(later)
    assert seconds is not None and 25 <= seconds <= 31
    assert parse_retry_after(email.utils.formatdate(time.time() - 30, usegmt=True)) == 0.0
    assert parse_retry_after("") is None


def test_transport_errors_are_retried_then_reported() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, content=b"ok")

    async def go(attempts: int) -> bytes:
        fetcher = Fetcher(
            retry=RetryPolicy(attempts=attempts, backoff=0.01),
            transport=httpx.MockTransport(handler),
        )
        try:
            return (await fetcher.get("http://index.invalid/x", what="thing 'x'")).body
        finally:
            await fetcher.aclose()

    assert asyncio.run(go(3)) == b"ok"
    assert "fttrack/" in calls[0].headers["user-agent"]
    calls.clear()
    with pytest.raises(IndexUnavailable, match=r"thing 'x': ConnectError: refused \(2 attempts"):
        asyncio.run(go(2))


def test_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError, match="concurrency"):
        Fetcher(concurrency=0)


def test_server_runs_in_its_own_process(assets: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "testkit.indexserver", "--recorded", str(assets)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        index_url = process.stdout.readline().strip()
        assert index_url.startswith("http://127.0.0.1:")

        async def go() -> object:
            async with PypiIndex(index_url) as index:
                return await index.fetch_project("numpy")

        page = asyncio.run(go())
        assert isinstance(page, ProjectPage) and len(page.files) == 452
        stats = httpx.get(index_url.removesuffix("simple/") + "_stats", timeout=5).json()
        assert stats["requests"] == 1 and stats["body_bytes"] > 100_000
    finally:
        if process.stdin:
            process.stdin.close()
        assert process.wait(timeout=10) == 0
