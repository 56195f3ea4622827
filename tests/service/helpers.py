"""Run fttrack commands as real processes against a loopback index."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

FTTRACK = [sys.executable, "-c", "from tracker.cli import main; main()"]


def fttrack_env(index_url: str, db_path: Path, **extra: str) -> dict[str, str]:
    """Environment for a child fttrack: loopback index, its own database, no shipped snapshot."""
    env = dict(os.environ)
    env.update(
        FTTRACK_INDEX_URL=index_url,
        FTTRACK_DB=f"sqlite:///{db_path}",
        FTTRACK_SNAPSHOT=str(db_path.parent / "no-snapshot.json.gz"),
        **extra,
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_serve(env: dict[str, str], port: int, *args: str) -> subprocess.Popen[bytes]:
    """Start ``fttrack serve`` and wait until it answers (at most 30 s)."""
    process = subprocess.Popen(
        [*FTTRACK, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("serve did not start within 30 s")
