"""Writes: idempotent upserts, probe history kept, the watch list, one transaction per project."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from tests.store.helpers import T0, numpy_page, probe, six_page
from tracker.errors import InputError
from tracker.models import Evidence, Status
from tracker.store import PageFile, Store, queries
from tracker.store.tables import File, ProbeRun, Project, Release


def _count(store: Store, table: type) -> int:
    with store.session_scope() as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_upsert_stores_releases_and_classified_files(store: Store) -> None:
    result = store.upsert_project_page("NumPy", 42, '"etag-1"', numpy_page(), classifier=None)
    assert result.project == "numpy" and result.created
    assert sorted(result.new_versions) == ["2.4.6", "2.5.5", "2.6.0rc1"]
    assert result.new_files == 7
    with store.session_scope() as session:
        project = queries.get_project("numpy", session=session)
        assert project is not None
        assert (project.display_name, project.last_serial, project.etag) == (
            "NumPy",
            42,
            '"etag-1"',
        )
        wheel = session.exec(
            select(File).where(
                File.filename == "numpy-2.5.5-cp315-cp315t-manylinux_2_28_x86_64.whl"
            )
        ).one()
        assert (wheel.kind, wheel.targets, wheel.platforms) == (
            "wheel",
            ["3.15t"],
            ["manylinux_x86_64"],
        )
        gil = session.exec(
            select(File).where(File.filename == "numpy-2.4.6-cp313-cp313-manylinux_2_28_x86_64.whl")
        ).one()
        assert gil.gil_only and not gil.targets
        release = session.exec(select(Release).where(Release.version == "2.5.5")).one()
        assert queries.as_utc(release.uploaded) == T0 + timedelta(days=30)  # earliest file


def test_upsert_twice_is_idempotent(store: Store) -> None:
    store.upsert_project_page("numpy", 42, None, numpy_page())
    counts = [_count(store, t) for t in (Project, Release, File)]
    again = store.upsert_project_page("numpy", 42, None, numpy_page())
    assert (again.created, again.new_versions, again.new_files, again.changed_versions) == (
        False,
        (),
        0,
        (),
    )
    assert [_count(store, t) for t in (Project, Release, File)] == counts


def test_upsert_records_yanking_and_new_files(store: Store) -> None:
    store.upsert_project_page("six", 1, None, six_page())
    page = [PageFile("1.17.0", f.filename, True, f.size, f.upload_time) for f in six_page()[1:]]
    page.append(PageFile("1.18.0", "six-1.18.0-py3-none-any.whl", False, 11, T0))
    result = store.upsert_project_page("six", "2", None, page)  # the mirror sends strings
    assert result.new_versions == ("1.18.0",)
    assert result.changed_versions == ("1.17.0",)
    with store.session_scope() as session:
        releases = {r.version: r for r in session.exec(select(Release)).all()}
        assert releases["1.16.0"].yanked  # a yank reason (string) means yanked
        assert releases["1.17.0"].yanked
        assert not releases["1.18.0"].yanked
        assert queries.project_state("SIX", session=session) == (2, None)


def test_bad_upload_time_is_an_input_error(store: Store) -> None:
    with pytest.raises(InputError, match="not an ISO-8601 time"):
        store.upsert_project_page(
            "x", 1, None, [PageFile("1", "x-1.tar.gz", False, 1, "yesterday")]
        )
    assert _count(store, Project) == 0  # the transaction was rolled back


def test_probe_history_is_kept_and_deduplicated(store: Store) -> None:
    store.upsert_project_page("numpy", 1, None, numpy_page())
    first = probe(status=Status.GIL_REENABLED, culprit="numpy._core._multiarray_umath")
    assert store.record_probe(first)
    assert not store.record_probe(first)  # the same result again: stored once
    assert store.record_probe(probe(at=T0 + timedelta(days=41)))
    with store.session_scope() as session:
        runs = session.exec(select(ProbeRun).order_by(col(ProbeRun.probed_at))).all()
        assert [r.status for r in runs] == ["gil-reenabled", "ready"]
        assert runs[0].culprits == [{"module": "numpy._core._multiarray_umath", "owner": "numpy"}]
        assert runs[0].modules[0]["outcome"] == "gil-reenabled"
        assert runs[1].installed == ["numpy==2.5.5"]
        assert runs[1].timings == {"install": 1.5, "import": 0.25}


def test_probe_of_an_uncrawled_release_creates_it(store: Store) -> None:
    assert store.record_probe(probe("Fresh_Pkg", "0.1"))
    document = store.project_document("fresh-pkg")
    assert document is not None
    assert document.releases[0].targets["3.14t"].evidence is Evidence.PROBE


def test_watchlist_is_idempotent_and_keeps_the_first_reason(store: Store) -> None:
    assert store.add_to_watchlist(["NumPy", "numpy", "six"], "seed") == ["numpy", "six"]
    assert store.add_to_watchlist(["numpy", "Requests"], "manual") == ["requests"]
    assert store.watchlist() == [("numpy", "seed"), ("requests", "manual"), ("six", "seed")]
    with pytest.raises(ValueError, match="watch reason"):
        store.add_to_watchlist(["x"], "because")


def test_a_failed_transaction_writes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session_scope() as session:
        queries.upsert_project_page(
            session=session, name="numpy", serial=1, etag=None, files=numpy_page()
        )
        raise RuntimeError("killed half-way")
    assert [_count(store, t) for t in (Project, Release, File)] == [0, 0, 0]


def test_fingerprint_moves_on_every_write(store: Store) -> None:
    def fp() -> tuple[object, ...]:
        with store.session_scope() as session:
            return queries.fingerprint(session=session)

    seen = [fp()]
    store.upsert_project_page("numpy", 1, None, numpy_page())
    seen.append(fp())
    store.record_probe(probe())
    seen.append(fp())
    store.add_to_watchlist(["numpy"], "manual")
    seen.append(fp())
    assert len(set(seen)) == 4


def test_the_store_answers_what_other_floors_read(store: Store) -> None:
    """Wheel sizes per release and target, the change marker, the newest probe and the
    last crawl: read through the store, never from its tables elsewhere."""
    from tracker.models import ProbeJob

    marker = store.change_marker()
    assert store.last_crawl_iso() is None
    store.upsert_project_page("numpy", 1, None, numpy_page())
    assert store.change_marker() != marker
    sizes = store.release_wheel_sizes(["numpy", "absent"], ["3.13t", "3.14t"], "manylinux_x86_64")
    assert sizes == {
        ("numpy", "2.4.6"): {"3.13t": 100},
        ("numpy", "2.5.5"): {"3.14t": 110},
        ("numpy", "2.6.0rc1"): {"3.14t": 1},
    }
    job = ProbeJob("NumPy", "2.5.5", "3.14t")
    assert store.newest_probe_at(job) is None and store.newest_stress_at(job) is None
    store.record_probe(probe(at=T0 + timedelta(days=40)))
    store.record_probe(probe(at=T0 + timedelta(days=50)))
    newest = store.newest_probe_at(job)
    assert newest is not None
    assert newest.replace(tzinfo=None) == (T0 + timedelta(days=50)).replace(tzinfo=None)
    assert store.newest_probe_at(ProbeJob("numpy", "2.5.5", "3.15t")) is None
