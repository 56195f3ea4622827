"""``fttrack snapshot verify``: sampling the probed releases of a snapshot and comparing."""

from __future__ import annotations

from tracker.archive import Archive
from tracker.datafiles import data_file
from tracker.models import Evidence, ProbeJob, ProbeResult, Status
from tracker.verify import probed_jobs, sample_jobs, verify


def _result(job: ProbeJob, status: Status) -> ProbeResult:
    return ProbeResult(job.project, job.version, job.target, "manylinux_x86_64", status)


def test_probed_jobs_of_the_shipped_snapshot_are_its_probe_verdicts() -> None:
    archive = Archive(data_file("snapshot.json.gz"))
    jobs = probed_jobs(archive.documents(), ["3.14t"])
    assert len(jobs) == sum(s.cell("3.14t").probed for s in archive.summaries()) > 100
    numpy = archive.document("numpy")
    assert numpy is not None
    for job, status in jobs:
        if job.project == "numpy":
            release = next(r for r in numpy.releases if r.version == job.version)
            verdict = release.targets[job.target]
            assert verdict.evidence is Evidence.PROBE and verdict.status is status


def test_the_sample_is_reproducible_with_a_seed() -> None:
    jobs = [(ProbeJob("p", str(i), "3.14t"), Status.READY) for i in range(100)]
    assert sample_jobs(jobs, 10, seed=3) == sample_jobs(jobs, 10, seed=3)
    assert sample_jobs(jobs, 10, seed=3) != sample_jobs(jobs, 10, seed=4)


def test_agreement_disagreement_and_errors_are_counted() -> None:
    sample = [
        (ProbeJob("same", "1", "3.14t"), Status.READY),
        (ProbeJob("changed", "1", "3.14t"), Status.READY),
        (ProbeJob("broken", "1", "3.14t"), Status.GIL_REENABLED),
    ]

    def run(job: ProbeJob) -> ProbeResult:
        if job.project == "broken":
            raise RuntimeError("index unreachable\nmore lines")
        return _result(job, Status.READY if job.project == "same" else Status.GIL_REENABLED)

    seen: list[str] = []
    report = verify(sample, run, progress=lambda check: seen.append(check.job.project))
    assert seen == ["same", "changed", "broken"]
    assert (report.agreed, report.errors) == (1, 1)
    assert report.checks[2].error == "index unreachable"
    assert report.summary_line() == "1 of 3 agree (33%); 1 disagree; 1 could not be probed"
