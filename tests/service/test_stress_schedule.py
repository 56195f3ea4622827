"""The service schedules stress jobs: for current releases probed ready, after the
import probes, one at a time by default."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import tracker.service as service_module
from tests.store.helpers import numpy_page, probe, six_page
from tests.stress.records import stress_result
from tracker.config import load_settings
from tracker.models import ProbeJob, ProbeResult, Status
from tracker.service import TrackerService
from tracker.store.engine import Store
from tracker.stress.result import StressResult, StressStatus


@pytest.fixture
def ready_store(store: Store) -> Store:
    """numpy 2.5.5 probed ready on 3.14t; six (pure, tags only)."""
    store.upsert_project_page("numpy", 1, None, numpy_page())
    store.upsert_project_page("six", 2, None, six_page())
    store.record_probe(probe(status=Status.READY))
    return store


def _wait(condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_stress_waits_for_the_probes_and_runs_one_at_a_time(
    ready_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    events: list[str] = []
    release_probe = threading.Event()
    running = [0, 0]  # now, most at once

    def fake_probe(job: ProbeJob, store: Store, settings: object) -> ProbeResult:
        events.append(f"probe {job.project} start")
        release_probe.wait(20)
        events.append(f"probe {job.project} end")
        return probe(job.project, job.version, job.target, Status.GIL_REENABLED)

    def fake_stress(job: ProbeJob, store: Store, settings: object) -> StressResult:
        running[0] += 1
        running[1] = max(running)
        events.append(f"stress {job.project} {job.target}")
        time.sleep(0.2)
        running[0] -= 1
        result = stress_result(job.project, job.version, job.target, StressStatus.PASSED)
        store.record_stress(result)
        return result

    monkeypatch.setattr(service_module, "run_probe_job", fake_probe)
    monkeypatch.setattr(service_module, "run_stress_job", fake_stress)
    svc = TrackerService(ready_store, load_settings(), targets=["3.14t", "3.15t"])
    try:
        assert svc.queue_probes([ProbeJob("legacy", "0.1", "3.14t")]) == 1
        _wait(lambda: events == ["probe legacy start"])
        jobs = [ProbeJob("numpy", "2.5.5", "3.14t"), ProbeJob("numpy", "2.5.5", "3.15t")]
        assert svc.queue_stress(jobs) == 2
        assert svc.queue_stress(jobs[:1]) == 0  # already queued
        time.sleep(0.3)
        assert events == ["probe legacy start"]  # the probe goes first
        release_probe.set()
        _wait(lambda: svc.stress_queued == 0)
        assert events == [
            "probe legacy start",
            "probe legacy end",
            "stress numpy 3.14t",
            "stress numpy 3.15t",
        ]
        assert running[1] == 1  # one at a time
    finally:
        svc.shutdown(grace_seconds=5)
    assert ready_store.stress_candidates(["3.14t"]) == []


def test_a_probe_that_finds_a_release_ready_queues_its_stress_job(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.upsert_project_page("numpy", 1, None, numpy_page())
    stressed: list[ProbeJob] = []

    def fake_probe(job: ProbeJob, store: Store, settings: object) -> ProbeResult:
        result = probe(job.project, job.version, job.target, Status.READY)
        store.record_probe(result)
        return result

    monkeypatch.setattr(service_module, "run_probe_job", fake_probe)
    svc = TrackerService(
        store, load_settings(), targets=["3.14t"], probe_workers=1,
        enqueue_stress=lambda job: stressed.append(job),
    )  # fmt: skip
    try:
        svc.queue_probes([ProbeJob("numpy", "2.5.5", "3.14t"), ProbeJob("numpy", "2.4.6", "3.14t")])
        _wait(lambda: svc.queued == 0)
        # only the current release is stressed, once its own probe says ready
        _wait(lambda: ProbeJob("numpy", "2.5.5", "3.14t") in stressed)
        assert set(stressed) == {ProbeJob("numpy", "2.5.5", "3.14t")}
    finally:
        svc.shutdown(grace_seconds=5)
