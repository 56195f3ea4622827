"""API fixtures: an app over a filled SQLite store, with and without write hooks."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tests.store.helpers import legacy_page, numpy_page, probe, six_page
from tracker.api import create_app
from tracker.models import Status
from tracker.store import Store, open_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "s3cret-token"


def fill(store: Store) -> None:
    """numpy (probed: gil-reenabled then ready on 3.14t), six (pure), legacy-pkg (sdist only)."""
    store.upsert_project_page("NumPy", 10, None, numpy_page())
    store.upsert_project_page("six", 11, None, six_page())
    store.upsert_project_page("legacy_pkg", 12, None, legacy_page())
    store.add_to_watchlist(["numpy", "six"], "seed")
    store.record_probe(probe(status=Status.GIL_REENABLED, culprit="numpy._core._umath"))
    store.record_probe(probe("numpy", "2.4.6", "3.13t", Status.READY))


@pytest.fixture
def filled_store(tmp_path: Path) -> Iterator[Store]:
    """A SQLite store with three projects."""
    store = open_store(f"sqlite:///{tmp_path / 'api.db'}", seed=False)
    fill(store)
    yield store
    store.close()


class Hooks:
    """Records what the write routes handed to the scheduler."""

    def __init__(self) -> None:
        self.crawls: list[Any] = []
        self.probes: list[Any] = []

    def on_crawl(self, names: list[str] | None) -> None:
        self.crawls.append(names)

    async def on_probe(self, name: str, version: str | None, targets: list[str]) -> None:
        self.probes.append((name, version, targets))


@pytest.fixture
def hooks() -> Hooks:
    """Scheduler hooks that record their calls."""
    return Hooks()


@pytest.fixture
def app(filled_store: Store, hooks: Hooks) -> FastAPI:
    """The app with a write token and scheduler hooks."""
    return create_app(
        filled_store,
        api_token=TOKEN,
        on_crawl=hooks.on_crawl,
        on_probe=hooks.on_probe,
        recheck_seconds=0,  # tests write to the store and read at once
    )


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    """A test client of :func:`app`."""
    return TestClient(app)
