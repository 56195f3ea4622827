"""``fttrack serve`` stops a running stress job on SIGTERM or Ctrl-C instead of waiting
out its budget (10 minutes): the sandboxed processes are killed, the server exits
within seconds, and nothing is recorded for the cut run (the next crawl queues it
again).

A real server, a real crawl of the loopback index, a real probe (``ftsleep`` is
ready) and the stress job it queues, whose one test sleeps for an hour.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from testkit.indexserver import IndexServer
from tests.service.helpers import FTTRACK, free_port, fttrack_env
from tests.stress.sleeping import build_sleeper, processes_mentioning, sleeping_test_running
from tracker.models import ProbeJob
from tracker.pythons.discover import Interpreter
from tracker.store.engine import open_store

#: The server must be gone this many seconds after the signal (before: after a Ctrl-C,
#: the sleeping test's stall limit and the rest of the run, minutes).
EXIT_BOUND = 15.0


def _wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout:g} s")


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``fttrack serve`` probing and stressing here, its log in ``log`` (a file: a pipe
    nobody reads would fill up), once it answers."""
    port = free_port()
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [*FTTRACK, "serve", "--host", "127.0.0.1", "--port", str(port), "--seed-top", "0",
             "--interval", "60", "--probe-workers", "1", "--stress-workers", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for(lambda: _answers(port), 30, "serve answering")
    except AssertionError:
        serve.kill()
        serve.wait(timeout=10)
        raise AssertionError(log.read_text()[-2000:]) from None
    return serve


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_serve_cuts_a_running_stress_job_short(
    stop: signal.Signals, tmp_path: Path, runner_wheels: Path, interpreter_314t: Interpreter
) -> None:
    wheel = build_sleeper(tmp_path / "wheels", interpreter_314t.path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    db = tmp_path / "db.sqlite"
    with IndexServer() as server:
        server.add_wheel_file(wheel)
        server.add_directory(runner_wheels)
        env = fttrack_env(
            server.index_url, db, FTTRACK_PYTHONS=str(interpreter_314t.path),
            FTTRACK_CACHE_DIR=str(tmp_path / "cache"), TMPDIR=str(scratch),
        )  # fmt: skip
        crawl = subprocess.run([*FTTRACK, "crawl", "ftsleep"], env=env, capture_output=True,
                               timeout=120, check=False)  # fmt: skip
        assert crawl.returncode == 0, crawl.stderr.decode()[-2000:]
        log = tmp_path / "serve.log"
        serve = _serve(env, log)
        try:
            # the crawl at start, the probe (ready), then the stress job: its run of the
            # tests alone is the sandboxed process that sleeps
            try:
                _wait_for(lambda: sleeping_test_running(scratch), 240, "the sleeping test")
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n{log.read_text()[-3000:]}") from None
            time.sleep(1.0)
            stopped_at = time.monotonic()
            serve.send_signal(stop)
            with contextlib.suppress(subprocess.TimeoutExpired):
                serve.wait(timeout=EXIT_BOUND + 15)
            took = time.monotonic() - stopped_at
            assert serve.poll() is not None and took < EXIT_BOUND, (
                f"serve still running {took:.1f} s after {stop.name}"
            )
        finally:
            if serve.poll() is None:
                serve.kill()
                serve.wait(timeout=10)
    stderr = log.read_text()
    assert serve.returncode in (-stop, 128 + stop), stderr[-2000:]  # the signal re-raised
    assert "cut short by the shutdown: nothing recorded" in stderr, stderr[-2000:]
    assert "stopped cleanly" in stderr
    # nothing of the run survives it
    _wait_for(lambda: not processes_mentioning(f"{scratch}/"), 5, "the sandbox's processes gone")
    with open_store(f"sqlite:///{db}", seed=False) as store:
        job = ProbeJob("ftsleep", "1.0", "3.14t")
        assert store.newest_probe_at(job) is not None  # the probe was stored
        assert store.newest_stress_at(job) is None  # the cut run was not
        assert store.stress_candidates(["3.14t"]) == [job]  # the next crawl queues it again
