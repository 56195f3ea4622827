"""The ``unshare`` level run by an unprivileged user: a real boundary, not only namespaces.

fttrack runs here as a non-root user (a fresh uid, via setpriv) with its config
(holding an API token), its database and its uv cache in that user's home, and
a Unix socket the user can reach. The probed package tries to read, write,
poison and connect to each: every attempt fails, and the files stay as they were.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from testkit.wheelbuild import build_pure_wheel
from tracker.pythons.discover import Interpreter

SECRET = "tok-5e1f0c77"
REPO = Path(__file__).resolve().parents[2]

_RUN_PROBE = """
import json, sys
from pathlib import Path
from tracker.config import load_settings
from tracker.models import get_target
from tracker.probe import Limits, probe
from tracker.probe.runner import ProbeRequest

wheel = Path(sys.argv[1])
result = probe(
    ProbeRequest(wheel=wheel, find_links=(wheel.parent,), offline=True),
    get_target(sys.argv[2]), load_settings(), sandbox_level="unshare",
    limits=Limits(wall_seconds=60, idle_seconds=30),
)
print(json.dumps({"sandbox": result.sandbox, "status": str(result.status),
                  "modules": {m.name: m.detail for m in result.modules}}))
"""

_ATTACK = """
import os, socket
report = []
def attempt(name, action):
    try:
        action()
    except Exception as exc:
        report.append(f"{name}:{type(exc).__name__}")
    else:
        report.append(f"{name}:DONE")
home = __HOME__
attempt("config", lambda: report.append("read:" + open(home + "/.config/fttrack/config.toml").read()))
attempt("db", lambda: open(home + "/.local/share/fttrack/fttrack.db", "ab").write(b"pwned"))
attempt("cache", lambda: open(home + "/.cache/fttrack/uv/poison.py", "w").write("pwned"))
attempt("home", lambda: report.append("ls:" + ",".join(os.listdir(home))))
def reach():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(2)
    s.connect(home + "/agent.sock")
    s.sendall(b"pwned")
attempt("socket", reach)
raise RuntimeError("attempts: " + " ".join(report))
"""


@dataclass(frozen=True)
class User:
    """An unprivileged user with fttrack's files in its home."""

    uid: int
    home: Path
    python: str
    pythonpath: str
    target: str  # the free-threaded target whose interpreter the config names

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` as this user, with fttrack importable."""
        env = {
            "HOME": str(self.home),
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONPATH": self.pythonpath,
        }
        return subprocess.run(
            [shutil.which("setpriv") or "setpriv", f"--reuid={self.uid}", f"--regid={self.uid}",
             "--clear-groups", "--", self.python, *argv],
            capture_output=True, text=True, env=env, cwd=self.home, timeout=300, check=False,
        )  # fmt: skip


def _free_uid() -> int:
    for uid in range(64_100, 64_400):
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
    raise AssertionError("no free uid in 64100-64399")


def _python_for(uid: int, home: Path) -> str:
    """An interpreter of this Python version that ``uid`` may run (the dev venv's may
    live below an unreadable home)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (
        sys.executable,
        f"/usr/bin/python{version}",
        f"/usr/local/bin/python{version}",
    ):
        probe = subprocess.run(
            ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--",
             candidate, "-c", "import sys; print(sys.version_info[:2])"],
            capture_output=True, text=True, cwd=home, check=False,
        )  # fmt: skip
        if probe.returncode == 0 and probe.stdout.strip() == str(sys.version_info[:2]):
            return candidate
    raise AssertionError(f"no Python {version} that an unprivileged user can run")


@pytest.fixture
def user(interpreters: dict[str, Interpreter]) -> Iterator[User]:
    if os.geteuid() != 0:
        pytest.fail("this test creates an unprivileged user: run it as root")
    uid = _free_uid()
    home = Path(tempfile.mkdtemp(prefix="fttrack-user-", dir="/tmp"))
    try:
        home.chmod(0o755)
        config = home / ".config" / "fttrack" / "config.toml"
        database = home / ".local" / "share" / "fttrack" / "fttrack.db"
        cache = home / ".cache" / "fttrack" / "uv"
        for directory in (config.parent, database.parent, cache):
            directory.mkdir(parents=True)
        target = "3.14t" if "3.14t" in interpreters else next(iter(interpreters))
        pythons = json.dumps([str(interpreters[target].path)])
        config.write_text(f'[fttrack]\napi_token = "{SECRET}"\npythons = {pythons}\n')
        database.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)
        for path in [home, *home.rglob("*")]:
            os.chown(path, uid, uid)
        config.chmod(0o600)
        database.chmod(0o600)
        purelib = sysconfig.get_path("purelib")
        pythonpath = f"{REPO}{os.pathsep}{purelib}"
        yield User(uid, home, _python_for(uid, home), pythonpath, target)
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def agent_socket(user: User) -> Iterator[socket.socket]:
    """A Unix socket in the user's home that the user may connect to."""
    server = socket.socket(socket.AF_UNIX)
    path = user.home / "agent.sock"
    server.bind(str(path))
    os.chown(path, user.uid, user.uid)
    path.chmod(0o777)
    server.listen()
    server.settimeout(0.5)
    yield server
    server.close()


def test_user_can_reach_everything_without_the_sandbox(
    user: User, agent_socket: socket.socket
) -> None:
    """The attack works when run directly as the user: the test below proves the sandbox."""
    attack = _ATTACK.replace("__HOME__", repr(str(user.home)))
    done = user.run(
        "-c", attack.replace('"cache"', '"cache-direct"').replace("poison.py", "direct.py")
    )
    assert f'read:[fttrack]\napi_token = "{SECRET}"' in done.stderr.replace("\\n", "\n")
    for name in ("config", "db", "cache-direct", "home", "socket"):
        assert f"{name}:DONE" in done.stderr
    agent_socket.accept()[0].close()


def test_unshare_level_as_a_user_protects_its_files(
    user: User, agent_socket: socket.socket, tmp_path: Path
) -> None:
    database = user.home / ".local" / "share" / "fttrack" / "fttrack.db"
    before = database.read_bytes()
    wheels = user.home / "wheels"
    wheel = build_pure_wheel(
        wheels,
        "fthostile_home",
        {"fthostile_home/__init__.py": _ATTACK.replace("__HOME__", repr(str(user.home)))},
    )
    for path in [wheels, *wheels.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    done = user.run("-c", _RUN_PROBE, str(wheel), user.target)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["sandbox"] == "unshare"
    detail = result["modules"]["fthostile_home"]
    assert "attempts:" in detail  # the attack ran...
    for name in ("config", "db", "cache", "home", "socket"):  # ...and every attempt failed
        assert f"{name}:" in detail and f"{name}:DONE" not in detail, detail
    assert SECRET not in done.stdout
    assert database.read_bytes() == before
    assert not (user.home / ".cache" / "fttrack" / "uv" / "poison.py").exists()
    with pytest.raises(TimeoutError):
        agent_socket.accept()
