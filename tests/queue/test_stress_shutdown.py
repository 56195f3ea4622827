"""A ``fttrack worker`` asked to stop (SIGTERM) cuts its running stress job short: the
sandboxed processes are killed, the worker exits within seconds instead of after the
run's budget, nothing is recorded, and the job goes back in the queue (a failed try,
retried)."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from pathlib import Path

from testkit.indexserver import IndexServer
from tests.queue.conftest import TARGET, Workers, sql, wait_for
from tests.stress.conftest import interpreter_314t, runner_wheels  # noqa: F401 (fixtures)
from tests.stress.sleeping import build_sleeper, processes_mentioning, sleeping_test_running
from tracker.models import ProbeJob
from tracker.pythons.discover import Interpreter
from tracker.queue.app import STRESS_TASK_NAME, ProbeQueue

#: The worker must be gone this many seconds after SIGTERM (before: the sleeping test's
#: stall limit and the rest of the run, minutes).
EXIT_BOUND = 15.0


def test_sigterm_cuts_the_running_stress_job_short_and_it_is_retried(
    pg_url: str, workers: Workers, interpreter: Interpreter, tmp_path: Path,
    runner_wheels: Path,  # noqa: F811 (the fixture imported above)
) -> None:  # fmt: skip
    wheel = build_sleeper(tmp_path / "wheels", interpreter.path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with IndexServer() as server:
        server.add_wheel_file(wheel)
        server.add_directory(runner_wheels)
        with ProbeQueue(pg_url) as queue:
            assert queue.enqueue_stress(ProbeJob("ftsleep", "1.0", TARGET))
        workers.env.update(FTTRACK_INDEX_URL=server.index_url, TMPDIR=str(scratch))
        worker = workers.start("--concurrency", "2")
        try:
            wait_for(lambda: sleeping_test_running(scratch) or worker.poll() is not None, 240,
                     "the stress job's sleeping test")  # fmt: skip
            assert worker.poll() is None, workers.log_of(worker)
            time.sleep(1.0)
            stopped_at = time.monotonic()
            worker.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=EXIT_BOUND + 15)
            took = time.monotonic() - stopped_at
            assert worker.poll() is not None and took < EXIT_BOUND, (
                f"worker still running {took:.1f} s after SIGTERM\n{workers.log_of(worker)}"
            )
        finally:
            workers.stop_all()
    log = workers.log_of(worker)
    assert worker.returncode == 0, log
    assert "running stress jobs are cut short" in log
    wait_for(lambda: not processes_mentioning(f"{scratch}/"), 5, "the sandbox's processes gone")
    assert sql(pg_url, "SELECT count(*) FROM stress_runs") == [(0,)]
    # back in the queue for another try (another worker, or this one restarted)
    assert sql(
        pg_url, "SELECT status::text, attempts FROM procrastinate_jobs WHERE task_name = %s",
        STRESS_TASK_NAME,
    ) == [("todo", 1)]  # fmt: skip
