"""Hostile wheels: each attack is contained, gets the right outcome, and leaves nothing running.

These packages really attempt harm when imported, so they only ever run inside
the sandbox (the probe never starts a venv interpreter outside it).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.wheelbuild import build_pure_wheel
from tests.probe.conftest import ProbeWheel
from tracker.models import ModuleOutcome, ProbeResult, Status
from tracker.probe import Limits
from tracker.pythons.discover import Interpreter

HOSTILE_LIMITS = Limits(wall_seconds=30, idle_seconds=4, cpu_seconds=20)
SECRET = "s3cr3t-7f1d9a"


@pytest.fixture
def py314t(interpreters: dict[str, Interpreter]) -> Interpreter:
    return interpreters["3.14t"]


def survivors(marker: str) -> list[int]:
    """Pids of processes whose command line mentions ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def run_hostile(
    probe_wheel: ProbeWheel, interpreter: Interpreter, tmp_path: Path, name: str, code: str,
    level: str | None = None,
) -> ProbeResult:  # fmt: skip
    wheel = build_pure_wheel(tmp_path / "wheels", name, {f"{name}/__init__.py": code})
    result = probe_wheel(wheel, interpreter, limits=HOSTILE_LIMITS, level=level)
    # The sandbox's processes are killed when the probe ends; on a loaded machine the
    # kernel may take a moment to tear a thousand of them down. Alive after 5 s is a survivor.
    deadline = time.monotonic() + 5
    while survivors(name) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert survivors(name) == [], f"processes of {name} survived the probe"
    return result


def outcome(result: ProbeResult, module: str) -> tuple[ModuleOutcome, str]:
    found = {m.name: m for m in result.modules}[module]
    return found.outcome, found.detail


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    yield server
    server.close()


@pytest.mark.parametrize("level", ["bwrap", "unshare"])
def test_no_network_to_a_host_loopback_server(
    probe_wheel: ProbeWheel,
    py314t: Interpreter,
    tmp_path: Path,
    listener: socket.socket,
    level: str,
) -> None:
    port = listener.getsockname()[1]
    code = (
        f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'x')\n"
    )
    result = run_hostile(probe_wheel, py314t, tmp_path, "fthostile_net", code, level)
    assert result.sandbox == level
    got, detail = outcome(result, "fthostile_net")
    assert got is ModuleOutcome.IMPORT_FAILED
    # bwrap: an empty network namespace; unshare: no socket family at all
    assert "ConnectionRefused" in detail or "Address family not supported" in detail
    with pytest.raises(TimeoutError):
        listener.accept()


def test_no_write_outside_scratch(
    probe_wheel: ProbeWheel, py314t: Interpreter, tmp_path: Path
) -> None:
    target = tmp_path / "outside.txt"
    code = (
        "import pathlib, sys\nerrors = []\n"
        f"for p in [{str(target)!r}, __file__, '/usr/fthostile', '/fthostile']:\n"
        "    try:\n        pathlib.Path(p).write_text('pwned')\n"
        "    except OSError as e:\n        errors.append(type(e).__name__)\n"
        "    else:\n        errors.append('WROTE ' + p)\n"
        "raise RuntimeError(' '.join(errors))\n"
    )
    result = run_hostile(probe_wheel, py314t, tmp_path, "fthostile_write", code)
    got, detail = outcome(result, "fthostile_write")
    assert got is ModuleOutcome.IMPORT_FAILED
    assert "WROTE" not in detail
    assert not target.exists()
    assert not Path("/usr/fthostile").exists() and not Path("/fthostile").exists()


@pytest.mark.parametrize("level", ["bwrap", "unshare"])
def test_no_secret_from_host_environment_or_private_file(
    probe_wheel: ProbeWheel, py314t: Interpreter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    level: str,
) -> None:  # fmt: skip
    monkeypatch.setenv("FTTRACK_TEST_SECRET", SECRET)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET)
    secret_file.chmod(0o600)
    code = (
        "import os\nleak = os.environ.get('FTTRACK_TEST_SECRET', '') + '|'\n"
        f"try:\n    leak += open({str(secret_file)!r}).read()\n"
        "except OSError as e:\n    leak += type(e).__name__\n"
        "raise RuntimeError('leaked:' + leak)\n"
    )
    result = run_hostile(probe_wheel, py314t, tmp_path, "fthostile_secret", code, level)
    got, detail = outcome(result, "fthostile_secret")
    assert got is ModuleOutcome.IMPORT_FAILED
    assert "leaked:" in detail  # the attack ran...
    assert SECRET not in detail and SECRET not in result.stderr_tail  # ...and found nothing


def test_fork_bomb_is_contained(
    probe_wheel: ProbeWheel, py314t: Interpreter, tmp_path: Path
) -> None:
    code = (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    started = time.monotonic()
    result = run_hostile(probe_wheel, py314t, tmp_path, "fthostile_forkbomb", code)
    assert time.monotonic() - started < 60
    assert result.status in (Status.TIMED_OUT, Status.CRASHED, Status.IMPORT_FAILED)


def test_huge_allocation_fails_inside(
    probe_wheel: ProbeWheel, py314t: Interpreter, tmp_path: Path
) -> None:
    code = "data = bytearray(10 * 1024 ** 3)\n"
    result = run_hostile(probe_wheel, py314t, tmp_path, "fthostile_alloc", code)
    got, detail = outcome(result, "fthostile_alloc")
    assert got in (ModuleOutcome.IMPORT_FAILED, ModuleOutcome.CRASHED)
    assert "MemoryError" in detail or "memory" in detail


def test_infinite_loop_times_out(
    probe_wheel: ProbeWheel, py314t: Interpreter, tmp_path: Path
) -> None:
    result = run_hostile(probe_wheel, py314t, tmp_path, "fthostile_loop", "while True:\n    pass\n")
    assert result.status is Status.TIMED_OUT
    assert outcome(result, "fthostile_loop")[0] is ModuleOutcome.TIMED_OUT


def test_sleeping_daemon_does_not_survive(
    probe_wheel: ProbeWheel, py314t: Interpreter, tmp_path: Path
) -> None:
    code = (
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n"
        "    if os.fork() == 0:\n        while True:\n            time.sleep(1)\n"
        "    os._exit(0)\ntime.sleep(10 ** 6)\n"
    )
    result = run_hostile(probe_wheel, py314t, tmp_path, "fthostile_daemon", code)
    assert result.status is Status.TIMED_OUT


@pytest.mark.parametrize("level", ["bwrap", "unshare"])
def test_segfault_through_ctypes(
    probe_wheel: ProbeWheel, py314t: Interpreter, tmp_path: Path, level: str
) -> None:
    code = "import ctypes\nctypes.string_at(0)\n"
    result = run_hostile(probe_wheel, py314t, tmp_path, "fthostile_segv", code, level)
    assert result.status is Status.CRASHED
    got, detail = outcome(result, "fthostile_segv")
    assert got is ModuleOutcome.CRASHED and "SIGSEGV" in detail
    assert "Segmentation fault" in result.stderr_tail  # faulthandler's report is kept


def test_huge_file_write_is_capped(
    probe_wheel: ProbeWheel, py314t: Interpreter, tmp_path: Path
) -> None:
    code = (
        "chunk = b'x' * (1 << 20)\nwith open('/tmp/huge', 'wb') as f:\n"
        "    for _ in range(2048):\n        f.write(chunk)\n"
    )
    result = run_hostile(probe_wheel, py314t, tmp_path, "fthostile_disk", code)
    got, detail = outcome(result, "fthostile_disk")
    assert got in (ModuleOutcome.IMPORT_FAILED, ModuleOutcome.CRASHED)
    assert "No space left" in detail or "SIGXFSZ" in detail or "File too large" in detail
