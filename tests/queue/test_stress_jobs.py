"""Stress jobs on the PostgreSQL queue: below the probes on the same queue, run by a real
``fttrack worker`` in the sandbox, stored as the release's stress result."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.indexserver import IndexServer
from tests.queue.conftest import TARGET, Workers, sql
from tests.stress.conftest import interpreter_314t, runner_wheels  # noqa: F401 (fixtures)
from tests.stress.fixtures import build_fixture
from tracker.models import ProbeJob
from tracker.pythons.discover import Interpreter
from tracker.queue.app import STRESS_PRIORITY, STRESS_TASK_NAME, ProbeQueue, stress_lock
from tracker.store.engine import open_store


def test_a_stress_job_is_queued_once_below_the_probes(pg_url: str) -> None:
    job = ProbeJob("ftgood", "1.0", TARGET)
    with ProbeQueue(pg_url) as queue:
        assert queue.enqueue_stress(job) is True
        assert queue.enqueue_stress(job) is False  # already waiting
        assert queue.enqueue(job) is True  # the probe of the same release is another job
    rows = sql(
        pg_url,
        "SELECT task_name, queue_name, priority, queueing_lock FROM procrastinate_jobs ORDER BY id",
    )
    assert rows[0] == (STRESS_TASK_NAME, f"probe-{TARGET}", STRESS_PRIORITY,
                       stress_lock("ftgood", "1.0", TARGET))  # fmt: skip
    assert rows[1][0] == "fttrack.probe_release" and rows[1][2] == 0 > STRESS_PRIORITY


@pytest.fixture
def stress_index(
    wheel_dir: Path,
    runner_wheels: Path,  # noqa: F811 (the fixture imported above)
    interpreter: Interpreter,
    tmp_path: Path,
) -> Iterator[IndexServer]:
    """The queue's fixture wheels, ftrace (its own tests race) and the test runner's wheels."""
    extra = tmp_path / "ftrace"
    extra.mkdir()
    build_fixture("ftrace", extra, interpreter.path)
    for wheel in runner_wheels.iterdir():
        shutil.copyfile(wheel, extra / wheel.name)
    with IndexServer() as server:
        server.add_directory(wheel_dir)
        server.add_directory(extra)
        yield server


def test_worker_runs_the_probes_first_then_the_stress_job(
    pg_url: str, workers: Workers, stress_index: IndexServer
) -> None:
    with ProbeQueue(pg_url) as queue:  # the stress job is queued first
        assert queue.enqueue_stress(ProbeJob("ftrace", "1.0", TARGET))
        for project in ("ftgood", "ftpure"):
            assert queue.enqueue(ProbeJob(project, "1.0", TARGET))
    workers.env["FTTRACK_INDEX_URL"] = stress_index.index_url
    process = workers.start("--burst", "--concurrency", "1")
    assert process.wait(timeout=600) == 0, workers.log_of(process)
    started = sql(
        pg_url,
        "SELECT j.task_name, j.args->>'project' FROM procrastinate_events e "
        "JOIN procrastinate_jobs j ON j.id = e.job_id WHERE e.type = 'started' ORDER BY e.at, e.id",
    )
    assert [project for _task, project in started] == ["ftgood", "ftpure", "ftrace"], started
    assert sql(pg_url, "SELECT status::text FROM procrastinate_jobs WHERE task_name = %s",
               STRESS_TASK_NAME) == [("succeeded",)]  # fmt: skip
    runs = sql(pg_url, "SELECT project, version, target, status, block FROM stress_runs")
    assert [r[:4] for r in runs] == [("ftrace", "1.0", TARGET, "races")], workers.log_of(process)
    block = runs[0][4] if isinstance(runs[0][4], dict) else json.loads(runs[0][4])
    assert set(block["failing"].values()) == {"race"}
    store = open_store(pg_url, seed=False)
    try:
        document = store.project_document("ftrace")
        assert document is not None and document.summary is not None
        stress = document.summary.cell(TARGET).stress
        assert stress is not None and stress.status.value == "races"
    finally:
        store.close()
