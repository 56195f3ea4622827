"""A real ``fttrack serve`` on a fresh database, asked while it seeds from the shipped snapshot.

The seed (about 100 s for 5,000 projects) runs in a separate process: badges and reads
stay fast, a write answers at once (202, applied after seeding), a release the database
does not have yet (and a project) answers 503 with Retry-After, and stopping the server ends the seed.
Each test stops its server long before the seed would end.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tracker.api.seeding import Seeding
from tracker.datafiles import snapshot_path

TOKEN = "seed-token"
FTTRACK = Path(sys.executable).with_name("fttrack")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Serve:
    """A running server, its base URL and its log."""

    def __init__(self, process: subprocess.Popen[bytes], base: str, log: Path) -> None:
        self.process, self.base, self.log = process, base, log

    def text(self) -> str:
        """The log so far."""
        return self.log.read_text(errors="replace")

    def wait_for(self, needle: str, seconds: float) -> None:
        """Wait until the log says ``needle``."""
        deadline = time.monotonic() + seconds
        while needle not in self.text():
            assert self.process.poll() is None, self.text()
            assert time.monotonic() < deadline, f"no {needle!r} in:\n{self.text()}"
            time.sleep(0.05)


@pytest.fixture
def seeding_server(tmp_path: Path) -> Iterator[Serve]:
    """``fttrack serve`` on a new SQLite database: seeding from the shipped snapshot."""
    if not snapshot_path().is_file():
        pytest.skip("no shipped snapshot")
    port = _free_port()
    log = tmp_path / "serve.log"
    env = dict(os.environ, FTTRACK_API_TOKEN=TOKEN, FTTRACK_SNAPSHOT=str(snapshot_path()))
    env.pop("FTTRACK_DB", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(FTTRACK), "serve", "--db", f"sqlite:///{tmp_path / 'fresh.db'}",
             "--no-crawl", "--probe-workers", "0", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = Serve(process, f"http://127.0.0.1:{port}", log)
    try:
        server.wait_for("answering from the snapshot", 60)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _seed_pid(server: Serve) -> int:
    server.wait_for("seeding in a separate process (pid ", 30)
    line = server.text().split("seeding in a separate process (pid ", 1)[1]
    return int(line.split(")", 1)[0])


def test_writes_answer_at_once_and_reads_stay_fast_while_seeding(seeding_server: Serve) -> None:
    with httpx.Client(base_url=seeding_server.base, timeout=5) as client:
        client.get("/badges/numpy.svg").raise_for_status()
        began = time.monotonic()
        watched = client.post(
            "/api/v1/watch",
            json={"names": ["attrs"]},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert time.monotonic() - began < 1.0
        assert watched.status_code == 202, watched.text
        assert "applied after seeding" in watched.json()["detail"]
        release = client.get("/api/v1/projects/numpy/2.5.5")
        assert release.status_code == 503, release.text
        assert release.json()["error"].startswith("loading: the database is being seeded")
        assert int(release.headers["retry-after"]) >= 1
        # a project it does not have yet may come with the seed: loading, not untracked
        assert client.get("/api/v1/projects/no-such-project-x").status_code == 503
        badge, read = [], []
        for _ in range(150):
            for path, samples in (("/badges/numpy.svg", badge), ("/api/v1/projects/six", read)):
                began = time.perf_counter()
                client.get(path).raise_for_status()
                samples.append(time.perf_counter() - began)
    assert "database seeded in" not in seeding_server.text()  # all of it during the seed
    for samples in (badge, read):
        # the seed in this process made badges wait 0.5-1.6 s (p99)
        assert statistics.quantiles(samples, n=20)[-1] < 0.1, samples


def test_stopping_the_server_ends_the_seed(seeding_server: Serve) -> None:
    pid = _seed_pid(seeding_server)
    seeding_server.process.send_signal(signal.SIGTERM)
    seeding_server.process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    stat = Path(f"/proc/{pid}/stat")
    assert not stat.exists() or stat.read_text().split()[2] == "Z"


def test_a_killed_server_leaves_no_seed_behind(seeding_server: Serve) -> None:
    pid = _seed_pid(seeding_server)
    seeding_server.process.kill()
    seeding_server.process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists()


def test_deferred_writes_are_applied_in_order_after_seeding() -> None:
    seeding = Seeding()
    done: list[str] = []
    assert not seeding.defer("now", lambda: done.append("now"))
    seeding.begin(10)
    assert seeding.defer("first", lambda: done.append("first"))

    async def second() -> None:
        done.append("second")

    assert seeding.defer("second", second)
    assert seeding.defer("broken", lambda: 1 / 0)
    assert seeding.retry_after() >= 1 and done == []
    assert seeding.finish() == 2
    assert done == ["first", "second"] and not seeding.active
