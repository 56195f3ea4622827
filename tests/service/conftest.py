"""Fixtures for crawl/serve tests: a loopback index with recorded pages and a fresh store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.indexserver import IndexServer
from tracker.store.engine import Store, open_store

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "index"


@pytest.fixture(autouse=True)
def no_shipped_snapshot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Start every database empty, whatever data/ holds."""
    monkeypatch.setenv("FTTRACK_SNAPSHOT", str(tmp_path / "no-snapshot.json.gz"))


@pytest.fixture
def recorded_index() -> Iterator[IndexServer]:
    """numpy, six, docopt and pyyaml as recorded from the real index (hosts rewritten)."""
    with IndexServer() as server:
        for name in ("numpy", "six", "docopt", "pyyaml"):
            server.add_recorded_page(ASSETS / f"{name}.json")
        yield server


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'fttrack.db'}") as opened:
        yield opened
