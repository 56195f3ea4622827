"""import_feed (idempotent, round trip) and seeding a brand-new database from a schema 2 snapshot."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.store.helpers import T0, numpy_page, probe, six_page
from tracker.archive import Archive, write_archive
from tracker.datafiles import data_file, snapshot_path
from tracker.documents import (
    DocumentError,
    ProjectDocument,
    ReleaseDocument,
    convert_document,
    summarize,
)
from tracker.errors import InputError, SourceError
from tracker.models import Evidence, Status
from tracker.store import Store, open_store
from tracker.store.tables import ProbeRun, Project, Release

GENERATED = "2026-11-25T00:00:00Z"


def _source_documents(tmp_path: Path) -> list[ProjectDocument]:
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}", seed=False)
    try:
        source.upsert_project_page("NumPy", 1, None, numpy_page())
        source.upsert_project_page("six", 2, None, six_page())
        source.add_to_watchlist(["numpy"], "seed")
        source.record_probe(probe(status=Status.GIL_REENABLED, culprit="numpy._core._umath"))
        return list(source.documents())
    finally:
        source.close()


def _rows(store: Store) -> tuple[int, int]:
    with store.session_scope() as session:
        releases = session.execute(sa.select(sa.func.count()).select_from(Release)).scalar_one()
        runs = session.execute(sa.select(sa.func.count()).select_from(ProbeRun)).scalar_one()
    return int(releases), int(runs)


def test_import_round_trips_and_is_idempotent(store: Store, tmp_path: Path) -> None:
    documents = _source_documents(tmp_path)
    result = store.import_feed(documents, generated=GENERATED)
    assert (result.projects, result.releases, result.probe_runs) == (2, 5, 1)
    again = store.import_feed(documents, generated=GENERATED)
    assert again.probe_runs == 0
    assert _rows(store) == (5, 1)
    # the files are not imported, the verdicts built from them are: same documents
    assert list(store.documents()) == documents
    assert store.summaries() == [d.summary for d in documents]


def test_bad_documents_are_one_line_errors(store: Store) -> None:
    with pytest.raises(
        DocumentError, match=r"'great' - at `\$\.releases\[0\]\.targets\[\.\.\.\]\.status`"
    ):
        convert_document(
            {"name": "x", "releases": [{"version": "1", "targets": {"3.14t": {"status": "great"}}}]}
        )
    with pytest.raises(InputError, match=r"bad\.json.*projects\[1\]\.name"):
        store.import_feed([ProjectDocument("fine"), ProjectDocument(" ")], source="bad.json")
    with pytest.raises(InputError, match=r"projects\[0\]\.watch_reason: unknown reason"):
        store.import_feed([ProjectDocument("x", watch_reason="because")], source="bad.json")
    with pytest.raises(InputError, match=r"projects\[0\]\.releases\[0\]"):
        store.import_feed(
            [ProjectDocument("x", releases=[ReleaseDocument("1", uploaded="yesterday")])],
            source="bad.json",
        )
    # a failed import writes nothing, not even the projects before the bad one
    with store.session_scope() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Project)).scalar_one() == 0


def test_new_database_is_seeded_from_the_snapshot(db_url: str, tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json.gz"
    documents = _source_documents(tmp_path)
    write_archive(snapshot, documents, generated=GENERATED)
    store = open_store(db_url, snapshot=snapshot)
    try:
        document = store.project_document("numpy")
        assert document is not None and document.watch_reason == "seed"
        verdict = document.releases[1].targets["3.14t"]
        assert (verdict.status, verdict.evidence) == (Status.GIL_REENABLED, Evidence.PROBE)
        assert _rows(store) == (5, 1)
        assert store.summaries() == Archive(snapshot).summaries()
        store.record_probe(probe(status=Status.READY, at=T0.replace(year=2027)))
    finally:
        store.close()
    reopened = open_store(db_url, snapshot=snapshot)  # existing database: not seeded again
    try:
        assert _rows(reopened) == (5, 2)
        numpy = reopened.project_document("numpy")
        assert numpy is not None and numpy.summary is not None
        assert numpy.summary.cell("3.14t").status is Status.READY
    finally:
        reopened.close()


def test_seeding_real_projects_keeps_their_documents_and_summaries(
    db_url: str, tmp_path: Path
) -> None:
    shipped = Archive(data_file("snapshot.json.gz"))
    names = [*shipped.names()[::100], "numpy", "lxml", "arxiv"]
    sample = [d for d in (shipped.document(n) for n in sorted(set(names))) if d is not None]
    snapshot = tmp_path / "snapshot.json.gz"
    write_archive(snapshot, sample, generated=shipped.generated)
    store = open_store(db_url, snapshot=snapshot)
    try:
        assert store.project_count() == len(sample)
        by_name = {s.name: s for s in store.summaries()}
        for document in sample:
            assert by_name[document.name] == document.summary == summarize(document)
        numpy = store.project_document("numpy")
        assert numpy is not None
        assert numpy.releases == next(d for d in sample if d.name == "numpy").releases
    finally:
        store.close()


def test_missing_snapshot_starts_empty(db_url: str, tmp_path: Path) -> None:
    store = open_store(db_url, snapshot=tmp_path / "nothing.json.gz")
    try:
        assert store.summaries() == [] and store.project_count() == 0
    finally:
        store.close()


def test_snapshot_path_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FTTRACK_SNAPSHOT", str(tmp_path / "s.json.gz"))
    assert snapshot_path() == tmp_path / "s.json.gz"
    monkeypatch.delenv("FTTRACK_SNAPSHOT")
    assert snapshot_path().parts[-2:] == ("data", "snapshot.json.gz")


def test_corrupt_snapshot_names_the_file(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json.gz"
    snapshot.write_bytes(gzip.compress(b"{not json"))
    with pytest.raises(SourceError, match=r"snapshot\.json\.gz") as caught:
        open_store(f"sqlite:///{tmp_path / 'x.db'}", snapshot=snapshot)
    assert "\n" not in str(caught.value)
