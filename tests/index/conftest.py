"""Fixtures for index tests: a loopback index server and fast client settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.indexserver import IndexServer
from tracker.index.http import RetryPolicy

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "index"


@pytest.fixture
def assets() -> Path:
    """The recorded index fixtures directory."""
    return ASSETS


@pytest.fixture
def index_server() -> Iterator[IndexServer]:
    """A running loopback index with real-service behaviour (ETag, serial header, .metadata)."""
    with IndexServer() as server:
        yield server


@pytest.fixture
def mirror_server() -> Iterator[IndexServer]:
    """A loopback index behaving like the local mirror: no ETag, serial only in the body,
    as a string, and no .metadata files."""
    with IndexServer(
        etag=False, serial_header=False, serial_as_string=True, metadata_files=False
    ) as server:
        yield server


@pytest.fixture
def fast_retry() -> RetryPolicy:
    """Retries that keep fault tests within a second or two."""
    return RetryPolicy(attempts=3, backoff=0.05, max_backoff=0.2, max_retry_after=1.0)
