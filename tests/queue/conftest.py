"""Queue fixtures: a private PostgreSQL schema, fixture wheels on a loopback index, and
real ``fttrack worker`` subprocesses pointed at both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from testkit.indexserver import IndexServer
from testkit.wheelbuild import Extension, build_binary_wheel, build_pure_wheel
from tests.store.helpers import pg_schema_url
from tracker.config import load_settings
from tracker.models import get_target
from tracker.pythons.discover import Interpreter, find_interpreter
from tracker.queue.connection import conninfo, ensure_schema
from tracker.store.engine import open_store

TARGET = "3.14t"
FTTRACK = Path(sys.executable).with_name("fttrack")
#: Fast failure detection for tests: heartbeat every 0.5 s, dead after 2 s of silence.
FAST = ["--heartbeat", "0.5", "--stalled-after", "2", "--poll-seconds", "0.5"]


@pytest.fixture(scope="session")
def interpreter() -> Interpreter:
    """The 3.14t interpreter (a missing one is a failure: CI installs it)."""
    return find_interpreter(get_target(TARGET), load_settings())


@pytest.fixture(scope="session")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory, interpreter: Interpreter) -> Path:
    """Fixture wheels: C extensions (good, bad), pure releases, and slow imports."""
    dest = tmp_path_factory.mktemp("queue-wheels")
    python = interpreter.path
    build_binary_wheel(
        dest,
        python,
        "ftgood",
        [Extension("ftgood._core", "good")],
        python_files={"ftgood/__init__.py": "from ftgood import _core\n"},
    )
    build_binary_wheel(
        dest,
        python,
        "ftbad",
        [Extension("ftbad._core", "bad")],
        python_files={"ftbad/__init__.py": "from ftbad import _core\n"},
    )
    for version in ("1.0", "1.1", "1.2", "1.3"):
        build_pure_wheel(dest, "ftpure", {"ftpure/__init__.py": "VALUE = 1\n"}, version=version)
    # Imports that take a while, inside the sandbox: a worker can be killed mid-probe.
    build_pure_wheel(dest, "ftsleepy", {"ftsleepy/__init__.py": "import time\ntime.sleep(6)\n"})
    build_pure_wheel(dest, "ftforever", {"ftforever/__init__.py": "import time\ntime.sleep(40)\n"})
    return dest  # fmt: skip


@pytest.fixture(scope="session")
def index(wheel_dir: Path) -> Iterator[IndexServer]:
    """A loopback simple index serving the fixture wheels."""
    with IndexServer() as server:
        server.add_directory(wheel_dir)
        yield server


@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    """A migrated, unseeded tracker database with the queue schema, in a private schema."""
    with pg_schema_url() as url:
        open_store(url, seed=False).close()
        ensure_schema(url)
        yield url


def sql(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one query on the test schema and return its rows."""
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        cursor = connection.execute(query.encode(), params or None)
        return cursor.fetchall() if cursor.description else []


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``predicate`` until it returns something true, or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class Workers:
    """Starts ``fttrack worker`` subprocesses and cleans them up (SIGKILL) at the end."""

    url: str
    env: dict[str, str]
    logs: Path
    started: list[tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def start(self, *extra: str) -> subprocess.Popen[bytes]:
        """Start one worker on the 3.14t queue with fast failure detection."""
        log = self.logs / f"worker-{len(self.started)}.log"
        handle = log.open("wb")
        process = subprocess.Popen(
            [str(FTTRACK), "worker", "--db", self.url, "--target", TARGET, *FAST, *extra],
            env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        handle.close()
        self.started.append((process, log))
        return process

    def log_of(self, process: subprocess.Popen[bytes]) -> str:
        """Everything a worker printed so far."""
        for started, log in self.started:
            if started is process:
                return log.read_text(errors="replace")
        raise KeyError(process)

    def kill9(self, process: subprocess.Popen[bytes]) -> None:
        """``kill -9`` the worker (alone: its sandboxed children die with it)."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        """Kill whatever still runs, process group and all."""
        for process, _log in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def workers(
    pg_url: str, index: IndexServer, interpreter: Interpreter, tmp_path: Path
) -> Iterator[Workers]:
    """A factory of worker processes that reach the loopback index and the test schema."""
    env = dict(os.environ)
    env.update(
        {
            "FTTRACK_INDEX_URL": index.index_url,
            "FTTRACK_PYTHONS": str(interpreter.path),
            "FTTRACK_CACHE_DIR": str(tmp_path / "cache"),
            "FTTRACK_PROBE_TIMEOUT": "60",
        }
    )
    env.pop("FTTRACK_DB", None)
    logs = tmp_path / "logs"
    logs.mkdir()
    factory = Workers(pg_url, env, logs)
    try:
        yield factory
    finally:
        factory.stop_all()
