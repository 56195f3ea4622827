"""The snapshot build's stress phase: current releases probed ready with extension
modules, most downloaded first, resumable, the snapshot rewritten with the results."""

from __future__ import annotations

from pathlib import Path

import msgspec

from tests.store.helpers import numpy_page, probe, six_page
from tests.stress.records import stress_result
from tracker.archive import Archive
from tracker.models import ProbeJob, Status
from tracker.snapshot_build import run_stress_phase, stress_jobs
from tracker.store.engine import Store
from tracker.stress.result import StressResult, StressStatus


def test_stress_phase_is_resumable_and_writes_the_snapshot(store: Store, tmp_path: Path) -> None:
    store.upsert_project_page("numpy", 1, None, numpy_page())
    store.upsert_project_page("six", 2, None, six_page())
    store.record_probe(probe(status=Status.READY))  # numpy: an extension module, ready
    store.record_probe(probe("numpy", "2.5.5", "3.15t", Status.READY))
    pure = probe("six", "1.17.0", status=Status.READY)
    store.record_probe(msgspec.structs.replace(pure, modules=()))  # ready, nothing to import
    assert stress_jobs(store, "3.14t", ["six", "numpy"]) == [ProbeJob("numpy", "2.5.5", "3.14t")]
    # a pure release probed for its dependencies' modules has none of its own
    store.record_probe(probe("six", "1.17.0", status=Status.READY))
    assert store.project_document("six").summary.cell("3.14t").status is Status.READY
    assert stress_jobs(store, "3.14t", ["six", "numpy"]) == [ProbeJob("numpy", "2.5.5", "3.14t")]

    def fail(job: ProbeJob) -> StressResult:
        raise RuntimeError("no sandbox")

    notes: list[str] = []
    jobs = stress_jobs(store, "3.14t", ["numpy"])
    assert not run_stress_phase(store, jobs, fail, advance=notes.append)
    assert notes == ["numpy 2.5.5 3.14t: not run (no sandbox)"]

    def run(job: ProbeJob) -> StressResult:
        result = stress_result(job.project, job.version, job.target, StressStatus.PASSED)
        store.record_stress(result)
        return result

    snapshot = tmp_path / "snapshot.json.gz"
    assert run_stress_phase(store, stress_jobs(store, "3.14t", ["numpy"]), run,
                            snapshot=snapshot) == {"passed": 1}  # fmt: skip
    assert stress_jobs(store, "3.14t", ["numpy"]) == []  # done: the next run skips it
    again = [ProbeJob("numpy", "2.5.5", "3.14t")]  # unless its status is to be run again
    assert stress_jobs(store, "3.14t", ["numpy"], again=["crashed", "passed"]) == again
    assert stress_jobs(store, "3.14t", ["numpy"], again=["crashed"]) == []
    summaries = {s.name: s for s in Archive(snapshot).summaries()}
    stress = summaries["numpy"].cell("3.14t").stress
    assert stress is not None and stress.status is StressStatus.PASSED
