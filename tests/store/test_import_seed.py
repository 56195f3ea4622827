"""import_feed (idempotent, round trip) and seeding a brand-new database from the snapshot."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.store.helpers import T0, numpy_page, probe, six_page
from tracker.errors import InputError
from tracker.models import Status
from tracker.store import Store, open_store
from tracker.store.seed import snapshot_path
from tracker.store.tables import ProbeRun, Release


def _source_feed(tmp_path: Path) -> dict:
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}", seed=False)
    source.upsert_project_page("NumPy", 1, None, numpy_page())
    source.upsert_project_page("six", 2, None, six_page())
    source.add_to_watchlist(["numpy"], "seed")
    source.record_probe(probe(status=Status.GIL_REENABLED, culprit="numpy._core._umath"))
    feed = source.feed()
    source.close()
    return feed


def _rows(store: Store) -> tuple[int, int]:
    with store.session_scope() as session:
        releases = session.execute(sa.select(sa.func.count()).select_from(Release)).scalar_one()
        runs = session.execute(sa.select(sa.func.count()).select_from(ProbeRun)).scalar_one()
    return int(releases), int(runs)


def test_import_round_trips_and_is_idempotent(store: Store, tmp_path: Path) -> None:
    feed = _source_feed(tmp_path)
    result = store.import_feed(feed)
    assert (result.projects, result.releases, result.probe_runs) == (2, 5, 1)
    again = store.import_feed(feed)
    assert again.probe_runs == 0
    assert _rows(store) == (5, 1)
    rebuilt = store.feed()
    assert rebuilt["projects"] == feed["projects"]


def test_bad_feed_is_an_input_error(store: Store) -> None:
    with pytest.raises(InputError, match=r"projects\[0\].releases\[0\].targets.3.14t.status"):
        store.import_feed(
            {
                "schema": 1,
                "projects": [
                    {
                        "name": "x",
                        "releases": [{"version": "1", "targets": {"3.14t": {"status": "great"}}}],
                    }
                ],
            },
            source="bad.json",
        )
    with pytest.raises(InputError, match="schema"):
        store.import_feed({"schema": 7, "projects": []})


def test_new_database_is_seeded_from_the_snapshot(db_url: str, tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json.gz"
    snapshot.write_bytes(gzip.compress(json.dumps(_source_feed(tmp_path)).encode()))
    store = open_store(db_url, snapshot=snapshot)
    try:
        document = store.project_document("numpy")
        assert document is not None and document["watch_reason"] == "seed"
        assert document["releases"][1]["targets"]["3.14t"]["status"] == "gil-reenabled"
        assert _rows(store) == (5, 1)
        store.record_probe(probe(status=Status.READY, at=T0.replace(year=2027)))
    finally:
        store.close()
    reopened = open_store(db_url, snapshot=snapshot)  # existing database: not seeded again
    try:
        assert _rows(reopened) == (5, 2)
    finally:
        reopened.close()


def test_missing_snapshot_starts_empty(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url, snapshot=tmp_path / "nothing.json.gz")
    try:
        assert store.feed()["projects"] == []
    finally:
        store.close()


def test_snapshot_path_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FTTRACK_SNAPSHOT", str(tmp_path / "s.json.gz"))
    assert snapshot_path() == tmp_path / "s.json.gz"


def test_corrupt_snapshot_names_the_file(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json.gz"
    snapshot.write_bytes(gzip.compress(b"{not json"))
    with pytest.raises(InputError, match=r"snapshot\.json\.gz"):
        open_store(f"sqlite:///{tmp_path / 'x.db'}", snapshot=snapshot)
