"""Stress results in the store: their own history beside the probes, on the documents,
never changing the import verdict."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import col, select

from tests.store.helpers import T0, fill, numpy_page, probe
from tests.stress.records import stress_result
from tracker.documents import encode
from tracker.models import Evidence, ProbeJob, Status
from tracker.store import Store, open_store
from tracker.store.tables import StressRun
from tracker.stress.result import StressStatus


def test_a_stress_run_is_stored_once_and_shown_beside_the_verdict(store: Store) -> None:
    store.upsert_project_page("numpy", 1, None, numpy_page())
    store.record_probe(probe(status=Status.READY))
    assert store.record_stress(stress_result())
    assert not store.record_stress(stress_result())  # the same run again: stored once
    document = store.project_document("numpy")
    assert document is not None and document.summary is not None
    verdict = next(r for r in document.releases if r.version == "2.5.5").targets["3.14t"]
    assert verdict.status is Status.READY and verdict.evidence is Evidence.PROBE
    assert verdict.stress is not None
    assert verdict.stress.status is StressStatus.RACES
    assert verdict.stress.failing == {
        "tests/test_a.py::test_fill": "race",
        "tests/test_b.py::test_sum": "race",
    }
    cell = document.summary.cell("3.14t")
    assert cell.status is Status.READY  # never changed by the stress result
    assert cell.stress is not None
    assert (cell.stress.status, cell.stress.checked) == (StressStatus.RACES, "2026-12-06")
    assert document.summary.cell("3.15t").stress is None
    with store.session_scope() as session:
        run = session.exec(select(StressRun)).one()
        assert run.result["failures"][1]["flaky"] is True  # the whole result is kept
        assert "stressed_at" in run.block and "failures" not in run.block


def test_stress_history_is_kept_newest_first_and_the_newest_is_shown(store: Store) -> None:
    store.upsert_project_page("numpy", 1, None, numpy_page())
    store.record_probe(probe(status=Status.READY))
    store.record_stress(stress_result(at="2026-12-06T10:00:00Z"))
    store.record_stress(stress_result(status=StressStatus.PASSED, at="2026-12-07T10:00:00Z"))
    store.record_stress(stress_result(status=StressStatus.CRASHED, at="2026-12-05T10:00:00Z"))
    detail = store.release_detail("numpy", "2.5.5")
    assert detail is not None
    assert [b.status for b in detail.stress_history["3.14t"]] == [
        StressStatus.PASSED,
        StressStatus.RACES,
        StressStatus.CRASHED,
    ]
    stress = detail.targets["3.14t"].stress
    assert stress is not None and stress.status is StressStatus.PASSED
    with store.session_scope() as session:
        assert len(session.exec(select(StressRun).order_by(col(StressRun.id))).all()) == 3


def test_a_document_without_stress_encodes_as_before(store: Store) -> None:
    fill(store)
    document = store.project_document("numpy")
    assert document is not None
    assert b'"stress"' not in encode(document)


def test_stress_candidates_are_current_releases_probed_ready_and_not_stressed(
    store: Store,
) -> None:
    fill(store)  # numpy 2.5.5: gil-reenabled on 3.14t
    assert store.stress_candidates(["3.14t", "3.13t"]) == []
    store.record_probe(probe(status=Status.READY, at=T0 + timedelta(days=45)))
    assert store.stress_candidates(["3.14t"]) == [ProbeJob("numpy", "2.5.5", "3.14t")]
    assert store.stress_candidates(["3.14t"], names=["six"]) == []
    store.record_stress(stress_result(status=StressStatus.NO_TESTS))
    assert store.stress_candidates(["3.14t"]) == []  # stressed: even with nothing to run


def test_stress_results_survive_an_export_and_import(store: Store, tmp_path: object) -> None:
    store.upsert_project_page("numpy", 1, None, numpy_page())
    store.record_probe(probe(status=Status.READY))
    store.record_stress(stress_result())
    document = store.project_document("numpy")
    assert document is not None
    again = open_store(f"sqlite:///{tmp_path}/again.db", snapshot=Path(f"{tmp_path}/none.json.gz"))
    try:
        first = again.import_feed([document])
        again.import_feed([document])  # idempotent
        copied = again.project_document("numpy")
        assert copied is not None and copied.summary is not None
        assert first.probe_runs == 1
        stress = copied.summary.cell("3.14t").stress
        assert stress is not None and stress.status is StressStatus.RACES
        with again.session_scope() as session:
            assert len(session.exec(select(StressRun)).all()) == 1
        assert encode(copied) == encode(document)
    finally:
        again.close()
