"""Fixtures for stress tests: the 3.14t interpreter, the fixture releases built from C,
and the test runner's wheels (pytest, pytest-run-parallel, ...) staged once from the
configured index, checked like a probe's, kept in the shared wheel cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.stress.fixtures import build_all
from tracker.config import load_settings
from tracker.models import get_target
from tracker.probe.runner import _uv, _uv_env, shared_wheel_cache
from tracker.probe.staging import stage_wheels
from tracker.probe.stress import CORE_REQUIREMENTS, HELPER_REQUIREMENTS
from tracker.pythons.discover import Interpreter, find_interpreter


@pytest.fixture(scope="session")
def interpreter_314t() -> Interpreter:
    """The real 3.14t interpreter (a missing one fails: .ci/run installs it)."""
    return find_interpreter(get_target("3.14t"), load_settings())


@pytest.fixture(scope="session")
def runner_wheels(tmp_path_factory: pytest.TempPathFactory, interpreter_314t: Interpreter) -> Path:
    """A directory of the wheels a stress run installs beside a release."""
    settings = load_settings()
    scratch = tmp_path_factory.mktemp("runner-stage")
    staged = stage_wheels(
        [*CORE_REQUIREMENTS, *HELPER_REQUIREMENTS], uv=_uv(), python=interpreter_314t.path,
        index_url=settings.require_index_url(), env=_uv_env(settings.uv_cache_dir),
        scratch=scratch, max_unpacked_bytes=1 << 30,
        cache_dir=shared_wheel_cache(settings.uv_cache_dir),
    )  # fmt: skip
    assert staged.resolver_error is None and staged.refused is None, staged
    dest = tmp_path_factory.mktemp("runner-wheels")
    for wheel in staged.wheels:
        shutil.copyfile(wheel, dest / wheel.name)
    assert any(p.name.startswith("pytest_run_parallel-") for p in dest.iterdir())
    return dest


@pytest.fixture(scope="session")
def fixture_wheels(
    tmp_path_factory: pytest.TempPathFactory, interpreter_314t: Interpreter
) -> dict[str, Path]:
    """Every fixture release's wheel for 3.14t (the sdist of ftsdist beside them)."""
    return build_all(tmp_path_factory.mktemp("stress-fixtures"), interpreter_314t.path)
