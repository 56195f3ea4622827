"""A probe from a private index (HTTP basic auth in the index URL): uv gets the URL in
its environment, never on its command line, which every local user can read
(``/proc/PID/cmdline``, ``ps``); the installs still work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.indexserver import IndexServer
from testkit.wheelbuild import Extension, build_binary_wheel, build_pure_wheel
from tests.spawned import Spawned, recording
from tracker.config import load_settings
from tracker.models import Status, get_target
from tracker.probe import Limits
from tracker.probe.runner import ProbeRequest, run_probe
from tracker.probe.sandbox import choose_sandbox
from tracker.pythons.discover import Interpreter, find_interpreter

SECRET = "pr0be-s3cret"


@pytest.fixture(scope="module")
def interpreter() -> Interpreter:
    return find_interpreter(get_target("3.14t"), load_settings())


@pytest.fixture
def private_index(tmp_path: Path, interpreter: Interpreter) -> Iterator[IndexServer]:
    """A loopback index answering 401 without the credentials: ``ftpriv`` (a C
    extension that keeps the GIL disabled) needs ``ftprivdep`` (pure)."""
    wheels = [
        build_binary_wheel(tmp_path / "bin", interpreter.path, "ftpriv",
                           [Extension("ftpriv._c")], requires=("ftprivdep",)),
        build_pure_wheel(tmp_path, "ftprivdep", {"ftprivdep/__init__.py": ""}),
    ]  # fmt: skip
    with IndexServer(credentials=("prober", SECRET)) as server:
        for wheel in wheels:
            server.add_wheel_file(wheel)
        yield server


def _url(server: IndexServer) -> str:
    return server.index_url.replace("http://", f"http://prober:{SECRET}@")


def _leaks(spawned: list[Spawned]) -> list[tuple[str, ...]]:
    return [s.argv for s in spawned if any(SECRET in a for a in s.argv)]


def _probe(request: ProbeRequest, interpreter: Interpreter, tmp_path: Path) -> Status:
    return run_probe(
        request, interpreter=interpreter, sandbox=choose_sandbox(),
        uv_cache_dir=tmp_path / "uv-cache", limits=Limits(wall_seconds=60, idle_seconds=30),
    ).status  # fmt: skip


def test_a_probe_from_a_private_index_keeps_its_credentials_off_every_command_line(
    private_index: IndexServer, interpreter: Interpreter, tmp_path: Path
) -> None:
    url = _url(private_index)
    with recording() as spawned:
        status = _probe(ProbeRequest(requirement="ftpriv==1.0", index_url=url), interpreter,
                        tmp_path)  # fmt: skip
    assert status is Status.READY
    answered = {(r.path, r.status) for r in private_index.requests}
    assert ("/simple/ftprivdep/", 200) in answered
    assert ("/files/ftpriv-1.0-cp314-cp314t-linux_x86_64.whl", 200) in answered  # downloaded
    assert not _leaks(spawned)
    resolver = [s for s in spawned if s.argv[1:3] == ("pip", "compile")]
    assert resolver and all((s.env or {}).get("UV_DEFAULT_INDEX") == url for s in resolver)


def test_a_local_wheel_gets_its_dependencies_from_the_private_index(
    private_index: IndexServer, interpreter: Interpreter, tmp_path: Path
) -> None:
    wheel = build_binary_wheel(tmp_path / "local", interpreter.path, "ftpriv",
                               [Extension("ftpriv._c")], requires=("ftprivdep",))  # fmt: skip
    with recording() as spawned:
        status = _probe(ProbeRequest(wheel=wheel, index_url=_url(private_index)), interpreter,
                        tmp_path)  # fmt: skip
    assert status is Status.READY
    assert ("/simple/ftprivdep/", 200) in {(r.path, r.status) for r in private_index.requests}
    assert not _leaks(spawned)
    installer = [s for s in spawned if s.argv[1:3] == ("pip", "install")]
    assert installer and all(
        (s.env or {}).get("UV_DEFAULT_INDEX") == _url(private_index) for s in installer
    )
