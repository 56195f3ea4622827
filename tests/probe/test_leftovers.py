"""A probe killed with SIGKILL leaves its directory and cgroups; the next start removes them.

A real ``fttrack probe`` of a wheel whose import hangs is killed with SIGKILL
while its sandbox runs; its scratch directory (the venv) and its cgroups stay.
``fttrack status`` reports them, and a ``fttrack serve`` start removes them,
but never what a live process owns.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from testkit.wheelbuild import Extension, build_binary_wheel
from tracker.probe import cgroup
from tracker.probe.owner import installation_tag, process_start
from tracker.pythons.discover import Interpreter
from tracker.store import open_store

FTTRACK = str(Path(sys.executable).with_name("fttrack"))


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def env(tmp_path: Path, interpreters: dict[str, Interpreter]) -> Iterator[dict[str, str]]:
    """A private installation (cache and temporary directory) for the processes."""
    (tmp_path / "tmp").mkdir()
    yield {
        **os.environ,
        "TMPDIR": str(tmp_path / "tmp"),
        "FTTRACK_CACHE_DIR": str(tmp_path / "cache"),
        "FTTRACK_DATA_DIR": str(tmp_path / "data"),
        "FTTRACK_PYTHONS": str(interpreters["3.14t"].path),
        "FTTRACK_SNAPSHOT": str(tmp_path / "no-snapshot.json.gz"),
        "UV_CACHE_DIR": str(Path(os.environ.get("UV_CACHE_DIR", tmp_path / "uv"))),
    }


def tag_of(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FTTRACK_CACHE_DIR", env["FTTRACK_CACHE_DIR"])
    return installation_tag.__wrapped__()


def owned_cgroups(pid: int) -> list[Path]:
    return [
        child
        for parent in cgroup.parent_directories()
        if parent.is_dir()
        for child in parent.iterdir()
        if child.name.startswith("fttrack-cgroup-") and f"-{pid}-" in child.name
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_killed_probe_is_cleaned_at_the_next_start(
    tmp_path: Path,
    env: dict[str, str],
    interpreters: dict[str, Interpreter],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wheel = build_binary_wheel(
        tmp_path / "wheels",
        interpreters["3.14t"].path,
        "fthang",
        [Extension("fthang._core", "good")],
        python_files={"fthang/__init__.py": "import time\ntime.sleep(600)\n"},
    )
    temp = Path(env["TMPDIR"])
    tag = tag_of(env, monkeypatch)
    probing = subprocess.Popen(
        [FTTRACK, "probe", "--wheel", str(wheel), "--offline", "--target", "3.14t"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        prefix = f"fttrack-probe-{tag}-{probing.pid}-"
        wait_for(
            lambda: (
                (
                    any(p.name.startswith(prefix) for p in temp.iterdir())
                    and bool(owned_cgroups(probing.pid))
                )
                or probing.poll() is not None
            ),
            120,
            "the probe's sandbox",
        )
        assert probing.poll() is None, probing.stderr.read() if probing.stderr else ""
        time.sleep(0.5)  # the import is under way
        probing.send_signal(signal.SIGKILL)
        probing.wait(timeout=30)
    finally:
        if probing.poll() is None:
            os.killpg(probing.pid, signal.SIGKILL)
            probing.wait(timeout=30)
    left = [p for p in temp.iterdir() if p.name.startswith(prefix)]
    assert len(left) == 1 and (left[0] / "venv").is_dir()
    groups = owned_cgroups(probing.pid)
    assert groups, "the probe made no cgroup here"
    # a live process's directory (this test's) is never taken for a leftover
    start = process_start(os.getpid())
    live = temp / f"fttrack-probe-{tag}-{os.getpid()}-{start}-live"
    live.mkdir()
    # another installation's dead probe is not ours to remove
    foreign = temp / f"fttrack-probe-00000000-{probing.pid}-1-other"
    foreign.mkdir()

    db = f"sqlite:///{tmp_path / 'fttrack.db'}"
    open_store(db, seed=False).close()
    status = subprocess.run(
        [FTTRACK, "status", "--db", db, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 0, status.stderr
    reported = json.loads(status.stdout)["probe_leftovers"]
    assert {(x["kind"], x["path"]) for x in reported} == {
        ("directory", str(left[0])),
        *(("cgroup", str(g)) for g in groups),
    }
    assert all(x["pid"] == probing.pid for x in reported)
    assert next(x for x in reported if x["kind"] == "directory")["bytes"] > 1000

    port = free_port()
    serving = subprocess.Popen(
        [FTTRACK, "serve", "--db", db, "--port", str(port), "--no-crawl",
         "--probe-workers", "0", "--seed-top", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: list[str] = []
    try:
        assert serving.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = serving.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Uvicorn running" in line or "Application startup complete" in line:
                break
    finally:
        serving.send_signal(signal.SIGTERM)
        try:
            serving.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serving.kill()
            serving.wait(timeout=30)
    text = "".join(lines)
    assert "removed what dead probes left: 1 directory" in text, text
    assert not left[0].exists()
    assert not any(g.exists() for g in groups)
    assert live.is_dir() and foreign.is_dir()
