"""Transient install failures leave no verdict and are retried; "no wheel" is a verdict.

Against the loopback index of the test suite, answering 503 on a project page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.indexserver import Fault, IndexServer
from testkit.wheelbuild import Extension, build_binary_wheel, build_pure_wheel
from tracker.errors import TransientProbeError
from tracker.jobs import run_probe_job
from tracker.models import ProbeJob, Status
from tracker.probe import Limits
from tracker.probe.runner import ProbeRequest, run_probe
from tracker.probe.sandbox import choose_sandbox
from tracker.pythons.discover import Interpreter
from tracker.store.engine import Store, open_store

TARGET = "3.14t"


@pytest.fixture
def index(tmp_path: Path, interpreters: dict[str, Interpreter]) -> Iterator[IndexServer]:
    """A loopback index with a pure project and one whose only wheel needs the GIL."""
    python = interpreters[TARGET].path
    with IndexServer() as server:
        server.add_wheel_file(build_pure_wheel(tmp_path, "ftflaky", {"ftflaky/__init__.py": ""}))
        server.add_wheel_file(
            build_binary_wheel(tmp_path / "gil", python, "ftgilwheel", [Extension("ftgilwheel._c")],
                               abi_suffix="")
        )  # fmt: skip
        yield server


@pytest.fixture
def settings_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index: IndexServer,
    interpreters: dict[str, Interpreter],
) -> None:  # fmt: skip
    """fttrack's settings pointed at the loopback index, a private cache and 3.14t."""
    monkeypatch.setenv("FTTRACK_INDEX_URL", index.index_url)
    monkeypatch.setenv("FTTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FTTRACK_PYTHONS", str(interpreters[TARGET].path))
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")  # one request per try: the test counts them


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'db.sqlite'}", seed=False) as opened:
        yield opened


def _probe_runs(store: Store, name: str, version: str) -> int:
    detail = store.release_detail(name, version)
    return 0 if detail is None else sum(len(runs) for runs in detail.history.values())


def _probe_index(
    requirement: str, index: IndexServer, interpreter: Interpreter, tmp: Path
) -> Status:
    result = run_probe(
        ProbeRequest(requirement=requirement, index_url=index.index_url),
        interpreter=interpreter,
        sandbox=choose_sandbox(),
        uv_cache_dir=tmp / "uv-cache",
        limits=Limits(wall_seconds=60, idle_seconds=30),
    )
    return result.status


def test_index_answering_503_raises_a_transient_error(
    index: IndexServer, interpreters: dict[str, Interpreter], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    index.add_fault("/simple/ftflaky/", Fault("status", status=503, times=None))
    with pytest.raises(TransientProbeError, match="503"):
        _probe_index("ftflaky==1.0", index, interpreters[TARGET], tmp_path)
    assert index.requests_to("/simple/ftflaky/") >= 1


def test_no_wheel_for_the_target_is_still_a_verdict(
    index: IndexServer, interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    status = _probe_index("ftgilwheel==1.0", index, interpreters[TARGET], tmp_path)
    assert status is Status.INSTALL_FAILED


def test_missing_uv_is_transient(
    index: IndexServer, interpreters: dict[str, Interpreter], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr("tracker.probe.runner.uv_binary", lambda: None)
    with pytest.raises(TransientProbeError, match="uv is not installed"):
        _probe_index("ftflaky==1.0", index, interpreters[TARGET], tmp_path)


@pytest.mark.usefixtures("settings_env")
def test_job_retries_a_passing_503_then_stores_one_verdict(
    index: IndexServer, store: Store
) -> None:
    from tracker.config import load_settings

    index.add_fault("/simple/ftflaky/", Fault("status", status=503, times=2))
    result = run_probe_job(
        ProbeJob("ftflaky", "1.0", TARGET), store, load_settings(), backoff_seconds=0.01
    )
    assert result.status is Status.READY
    assert index.requests_to("/simple/ftflaky/") == 3
    assert _probe_runs(store, "ftflaky", "1.0") == 1


@pytest.mark.usefixtures("settings_env")
def test_job_gives_up_after_bounded_retries_and_stores_nothing(
    index: IndexServer, store: Store
) -> None:
    from tracker.config import load_settings

    index.add_fault("/simple/ftflaky/", Fault("status", status=503, times=None))
    with pytest.raises(TransientProbeError):
        run_probe_job(
            ProbeJob("ftflaky", "1.0", TARGET), store, load_settings(),
            retries=2, backoff_seconds=0.01,
        )  # fmt: skip
    assert index.requests_to("/simple/ftflaky/") == 3
    assert _probe_runs(store, "ftflaky", "1.0") == 0
