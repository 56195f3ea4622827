"""One damaged row, or a damaged database file, never takes the whole service down.

A project's stored summary or document is corrupted with raw SQL (SQLite and
PostgreSQL); a SQLite file has one of its pages overwritten. The damaged
project answers 503 with a message naming it, the others answer as before;
a damaged file answers 503 JSON everywhere.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.store.helpers import fill, numpy_page, pg_schema_url
from tracker.api import create_app
from tracker.store import Store, open_store
from tracker.store.damaged import DamagedRow
from tracker.store.engine import normalize_db_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A filled database: numpy, six, legacy-pkg."""

    def filled(db: str) -> str:
        with open_store(db, seed=False) as store:
            fill(store)
        return db

    if request.param == "sqlite":
        yield filled(f"sqlite:///{tmp_path / 'damaged.db'}")
    else:
        with pg_schema_url() as db:
            yield filled(db)


def corrupt(url: str, column: str, value: str = '{"name": "numpy", "targets": 7') -> None:
    """Overwrite numpy's stored ``column`` with ``value`` (not a summary, not a document)."""
    engine = sa.create_engine(normalize_db_url(url))
    with engine.begin() as connection:
        connection.execute(
            sa.text(f"UPDATE project_documents SET {column} = :v WHERE project = 'numpy'"),
            {"v": value},
        )
    engine.dispose()


def client_of(store: Store) -> TestClient:
    return TestClient(create_app(store, recheck_seconds=0))


def test_a_damaged_summary_is_skipped_and_its_project_answers_503(url: str) -> None:
    corrupt(url, "summary")
    with open_store(url, seed=False) as store:
        client = client_of(store)
        answer = client.get("/api/v1/projects/numpy")
        assert answer.status_code == 503
        assert "numpy" in answer.json()["error"] and "summary" in answer.json()["error"]
        assert client.get("/api/v1/projects/six").status_code == 200
        assert client.get("/api/v1/projects/numpy/2.5.5").status_code == 503
        listed = client.get("/api/v1/projects")
        assert listed.status_code == 200
        assert [p["name"] for p in listed.json()["items"]] == ["legacy-pkg", "six"]
        feed = client.get("/api/v1/feed.json")
        assert feed.status_code == 200
        assert [p["name"] for p in feed.json()["projects"]] == ["legacy-pkg", "six"]
        status = client.get("/api/v1/status")
        assert status.status_code == 200 and status.json()["projects"] == 2
        for kind in ("svg", "json"):
            assert client.get(f"/badges/six.{kind}").status_code == 200
            badge = client.get(f"/badges/numpy.{kind}")
            assert badge.status_code == 503 and "numpy" in badge.json()["error"]
            routed = client.get(f"/badges/numpy.{kind}?target=3.14t&x=1")
            assert routed.status_code == 503 and "numpy" in routed.json()["error"]
        # the next write to the project rebuilds its row: it answers again
        store.upsert_project_page("numpy", 13, None, numpy_page())
        assert client.get("/api/v1/projects/numpy").status_code == 200
        assert client.get("/badges/numpy.svg").status_code == 200
        assert len(client.get("/api/v1/feed.json").json()["projects"]) == 3


def test_the_store_names_the_damaged_summaries(url: str) -> None:
    corrupt(url, "summary")
    with open_store(url, seed=False) as store:
        summaries, damaged = store.checked_summaries()
        assert [s.name for s in summaries] == ["legacy-pkg", "six"]
        assert [(d.project, d.column) for d in damaged] == [("numpy", "summary")]
        assert [s.name for s in store.summaries()] == ["legacy-pkg", "six"]


def test_a_damaged_document_answers_503_for_its_project_only(url: str) -> None:
    corrupt(url, "document", "[1, 2")
    with open_store(url, seed=False) as store:
        client = client_of(store)
        answer = client.get("/api/v1/projects/numpy")
        assert answer.status_code == 503 and "document of numpy" in answer.json()["error"]
        assert client.get("/api/v1/projects/six").status_code == 200
        assert client.get("/badges/numpy.svg").status_code == 200  # its summary is fine
        damaged: list[DamagedRow] = []
        names = [d.name for d in store.documents(damaged=damaged)]
        assert names == ["legacy-pkg", "six"] and len(damaged) == 1


def damage_pages(path: Path, table: str) -> None:
    """Overwrite the root page of ``table`` in the SQLite file at ``path`` (after a checkpoint)."""
    import sqlite3

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
    ).fetchone()[0]
    connection.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xa5" * page_size)


def test_a_damaged_database_file_answers_503_json(tmp_path: Path) -> None:
    path = tmp_path / "pages.db"
    url = f"sqlite:///{path}"
    with open_store(url, seed=False) as store:
        fill(store)
    damage_pages(path, "project_documents")
    with open_store(url, seed=False) as store:
        client = client_of(store)
        for route in (
            "/api/v1/projects/numpy",
            "/api/v1/projects",
            "/api/v1/feed.json",
            "/api/v1/status",
            "/badges/numpy.svg",
        ):
            answer = client.get(route)
            assert answer.status_code == 503, (route, answer.text)
            assert answer.json()["error"].startswith("the database is damaged: "), route
