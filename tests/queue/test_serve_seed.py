"""``fttrack serve --seed-top``: how many projects an empty watch list starts with (0: none)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

from testkit.indexserver import IndexServer
from tests.queue.conftest import FTTRACK, wait_for
from tracker.store.engine import open_store


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_seed_top_zero_watches_and_crawls_nothing(pg_url: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with IndexServer() as index, log.open("wb") as out:
        # No verdict snapshot to import: this is about the watch list, not the verdicts.
        env = dict(os.environ, FTTRACK_INDEX_URL=index.index_url,
                   FTTRACK_SNAPSHOT=str(tmp_path / "no-snapshot.json.gz"))  # fmt: skip
        env.pop("FTTRACK_DB", None)
        server = subprocess.Popen(
            [str(FTTRACK), "serve", "--db", pg_url, "--seed-top", "0",
             "--port", str(_free_port()), "--probe-workers", "0"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            # The first scheduled crawl runs at start: wait for its summary line.
            wait_for(lambda: "crawl: " in log.read_text(errors="replace"), 90, "the first crawl")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        requests = [r.path for r in index.requests]
    output = log.read_text(errors="replace")
    assert "watch list seeded" not in output, output
    assert "crawl: 0 fetched, 0 unchanged, 0 new releases, 0 not found, 0 failed" in output
    assert requests == []  # nothing was asked of the index
    store = open_store(pg_url, seed=False)
    try:
        assert store.watchlist() == []
    finally:
        store.close()


def test_serve_refuses_a_negative_seed_top_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(FTTRACK), "serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--seed-top", "-1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--seed-top" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.db").exists()  # refused before opening anything
