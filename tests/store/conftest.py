"""Store fixtures: every store test runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.helpers import pg_schema_url
from tracker.store import Store, open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a private PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fttrack.db'}"
    else:
        with pg_schema_url() as url:
            yield url


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    """An open, migrated, unseeded store."""
    opened = open_store(db_url, snapshot=tmp_path / "no-snapshot.json.gz")
    try:
        yield opened
    finally:
        opened.close()
