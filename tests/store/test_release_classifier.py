"""Each probed release's own Free Threading classifier: migration 0007, reads, round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.store.helpers import T0, numpy_page, probe, six_page
from tracker.models import Status
from tracker.store import Store, open_store
from tracker.store.engine import current_revision, head_revision, make_engine, migrate


def test_upgrade_from_0006_keeps_the_rows_and_leaves_classifiers_unread(
    db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0006")
    assert "classifier" not in {c["name"] for c in sa.inspect(engine).get_columns("releases")}
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO projects (name, display_name, revision, classifier)"
                " VALUES ('numpy', 'NumPy', 1,"
                " 'Programming Language :: Python :: Free Threading :: 2 - Beta')"
            )
        )
        project_id = connection.execute(sa.text("SELECT id FROM projects")).scalar_one()
        for version in ("2.4.6", "2.5.5"):
            connection.execute(
                sa.text(
                    "INSERT INTO releases (project_id, version, yanked) VALUES (:p, :v, false)"
                ),
                {"p": project_id, "v": version},
            )
        release_id = connection.execute(
            sa.text("SELECT id FROM releases WHERE version = '2.5.5'")
        ).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO probe_runs (release_id, project, version, target, platform, status,"
                " culprits, modules, interpreter, sandbox, timings, stderr_tail, detail, probed_at)"
                " VALUES (:r, 'numpy', '2.5.5', '3.14t', 'manylinux_x86_64', 'gil-reenabled',"
                " '[]', '[]', '3.14.7', 'bwrap', '{}', '', '', '2026-11-01 12:00:00+00:00')"
            ),
            {"r": release_id},
        )
    engine.dispose()

    store = open_store(db_url, snapshot=tmp_path / "missing.json.gz")  # upgrades in place
    try:
        assert current_revision(store.engine) == head_revision() == "0007"
        with store.engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT classifier FROM releases")).scalars()
            assert list(stored) == [None, None]
        document = store.project_document("numpy")
        assert document is not None
        assert [r.classifier for r in document.releases] == [None, None]
        # only the probed release waits for its classifier
        assert store.unread_classifiers("NumPy") == ["2.5.5"]
        # the current release is still judged on the project's classifier
        assert [f.value for f in document.claims[0].flags] == ["classifier-overclaims"]
    finally:
        store.close()


def test_a_crawl_stores_the_classifiers_it_read_and_the_document_carries_them(
    store: Store,
) -> None:
    store.upsert_project_page("NumPy", 10, None, numpy_page())
    store.record_probe(probe(status=Status.GIL_REENABLED, culprit="numpy._core._umath"))
    store.record_probe(probe("numpy", "2.4.6", "3.13t", Status.READY))
    assert store.unread_classifiers("numpy") == ["2.5.5", "2.4.6"]
    store.upsert_project_page(
        "NumPy", 11, None, numpy_page(), release_classifiers={"2.5.5": "3 - Stable", "2.4.6": ""}
    )
    assert store.unread_classifiers("numpy") == []
    document = store.project_document("numpy")
    assert document is not None
    levels = {r.version: r.classifier for r in document.releases}
    assert levels == {"2.6.0rc1": None, "2.5.5": "3 - Stable", "2.4.6": ""}
    flags = {(c.version, f.value) for c in document.claims for f in c.flags}
    assert flags == {
        ("2.5.5", "classifier-overclaims"),
        ("2.5.5", "wheel-undeclared"),
        ("2.4.6", "classifier-missing"),
    }
    # a later page without a reading keeps what was read
    store.upsert_project_page("NumPy", 12, None, numpy_page())
    again = store.project_document("numpy")
    assert again is not None and again.releases == document.releases


def test_release_classifiers_round_trip_through_export_and_import(
    store: Store, tmp_path: Path
) -> None:
    store.upsert_project_page("NumPy", 10, None, numpy_page())
    store.upsert_project_page("six", 11, None, six_page())
    store.record_probe(probe(status=Status.GIL_REENABLED, culprit="numpy._core._umath"))
    store.upsert_project_page(
        "NumPy", 12, None, numpy_page(), release_classifiers={"2.5.5": "2 - Beta"}
    )
    exported = list(store.documents())
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}", snapshot=tmp_path / "missing.json.gz")
    try:
        other.import_feed(exported)
        assert list(other.documents()) == exported
        assert other.unread_classifiers("numpy") == []
        numpy = other.project_document("numpy")
        assert numpy is not None
        assert {r.version: r.classifier for r in numpy.releases}["2.5.5"] == "2 - Beta"
    finally:
        other.close()


def test_projects_probed_since_their_page_was_stored(store: Store) -> None:
    """A probe after the page was stored names the project (its next crawl fetches the
    page again for the classifier) until a page stored after it reads it."""
    store.upsert_project_page("NumPy", 10, None, numpy_page())  # stored now
    store.upsert_project_page("six", 11, None, six_page())
    assert store.probed_since_crawled() == set()
    store.record_probe(probe(at=T0))  # judged before the page was stored
    assert store.probed_since_crawled() == set()
    store.record_probe(probe("numpy", "2.4.6", "3.13t", at=datetime.now(UTC) + timedelta(hours=1)))
    assert store.probed_since_crawled() == {"numpy"}
    store.upsert_project_page("NumPy", 12, None, numpy_page(), release_classifiers={"2.4.6": ""})
    # read: 2.5.5 is unread still, but judged before this page
    assert store.probed_since_crawled() == set()
    assert store.unread_classifiers("numpy") == ["2.5.5"]
