"""Undeclared dependencies: resolved on the index, installed wheel-only, imported again.

Fixture wheels on the loopback index of the test suite.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.indexserver import IndexServer
from testkit.wheelbuild import Extension, build_binary_wheel, build_pure_wheel
from tests.service.helpers import FTTRACK, fttrack_env
from tracker.models import Culprit, ModuleOutcome, ProbeResult, Status
from tracker.probe import Limits
from tracker.probe.runner import ProbeRequest, run_probe
from tracker.probe.sandbox import choose_sandbox
from tracker.probe.undeclared import distribution_for
from tracker.pythons.discover import Interpreter

TARGET = "3.14t"


@pytest.fixture(scope="module")
def index(
    tmp_path_factory: pytest.TempPathFactory, interpreters: dict[str, Interpreter]
) -> Iterator[IndexServer]:
    dest = tmp_path_factory.mktemp("undeclared")
    python = interpreters[TARGET].path
    wheels = [
        # ftprovided re-enables the GIL; ftundecl imports it without declaring it.
        build_binary_wheel(dest, python, "ftprovided", [Extension("ftprovided._core", "bad")],
                           python_files={"ftprovided/__init__.py": "from ftprovided import _core\n"}),
        build_pure_wheel(dest, "ftundecl", {"ftundecl/__init__.py": "import ftprovided\n"}),
        # The import name differs from the project's: the well-known map says yaml -> pyyaml.
        build_pure_wheel(dest, "pyyaml", {"yaml/__init__.py": "SAFE = True\n"}),
        build_pure_wheel(dest, "ftmapped", {"ftmapped/__init__.py": "import yaml\n"}),
        build_pure_wheel(dest, "ftorphan", {"ftorphan/__init__.py": "import ftnowhere\n"}),
        # Like mypy's mypyc.build (compiled): one extension module needs distutils
        # (setuptools, not installed), the rest of the package is fine.
        build_binary_wheel(dest, python, "ftopt",
                           [Extension("ftopt._core"), Extension("ftopt.build", imports="distutils")],
                           python_files={"ftopt/__init__.py": "from ftopt import _core\n"}),
        # Like black's blackd: a top-level module for an extra, whose dependency
        # (declared under that extra only) is not installed; ImportError wraps it.
        build_pure_wheel(dest, "ftextra", {
            "ftextra/__init__.py": "VALUE = 1\n",
            "ftextrad/__init__.py": (
                "try:\n    import ftprovided\nexcept ImportError as exc:\n"
                "    raise ImportError(f'{exc}: install ftextra[d]') from None\n"
            ),
        }, requires=('ftprovided; extra == "d"',)),
    ]  # fmt: skip
    with IndexServer() as server:
        for wheel in wheels:
            server.add_wheel_file(wheel)
        yield server


def probe(requirement: str, index: IndexServer, interpreter: Interpreter, tmp: Path) -> ProbeResult:
    return run_probe(
        ProbeRequest(requirement=requirement, index_url=index.index_url),
        interpreter=interpreter,
        sandbox=choose_sandbox(),
        uv_cache_dir=tmp / "uv-cache",
        limits=Limits(wall_seconds=60, idle_seconds=30),
    )


def test_an_undeclared_dependency_is_installed_and_the_retry_decides(
    index: IndexServer, interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    result = probe("ftundecl==1.0", index, interpreters[TARGET], tmp_path)
    assert "imports ftprovided, which ftundecl does not declare" in result.detail
    assert "ftprovided==1.0" in result.installed
    assert result.status is Status.GIL_REENABLED
    assert result.culprits == (Culprit("ftprovided._core", "ftprovided"),)
    assert {m.name: m.outcome for m in result.modules}["ftundecl"] is ModuleOutcome.GIL_REENABLED


def test_a_well_known_import_name_maps_to_its_project(
    index: IndexServer, interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    result = probe("ftmapped==1.0", index, interpreters[TARGET], tmp_path)
    assert result.status is Status.READY
    assert "imports yaml, which ftmapped does not declare (pyyaml)" in result.detail
    assert "pyyaml==1.0" in result.installed
    assert (distribution_for("PIL"), distribution_for("cv2"), distribution_for("sklearn")) == (
        "pillow", "opencv-python", "scikit-learn",
    )  # fmt: skip


def test_an_unresolvable_name_stays_import_failed(
    index: IndexServer, interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    result = probe("ftorphan==1.0", index, interpreters[TARGET], tmp_path)
    assert result.status is Status.IMPORT_FAILED
    assert (
        "imports ftnowhere, which ftorphan does not declare; no project ftnowhere" in result.detail
    )
    assert result.installed == ("ftorphan==1.0",)
    detail = {m.name: m.detail for m in result.modules}["ftorphan"]
    assert "ModuleNotFoundError" in detail


@pytest.mark.parametrize(
    ("project", "module", "needs"),
    [
        ("ftopt", "ftopt.build", "distutils"),  # a submodule (mypy's mypyc.build)
        ("ftextra", "ftextrad", "ftprovided"),  # declared under an extra (black's blackd)
    ],
)
def test_a_module_needing_an_optional_dependency_does_not_decide(
    project: str,
    module: str,
    needs: str,
    index: IndexServer,
    interpreters: dict[str, Interpreter],
    tmp_path: Path,
) -> None:
    result = probe(f"{project}==1.0", index, interpreters[TARGET], tmp_path)
    assert result.status is Status.READY
    failed = {m.name: m for m in result.modules}[module]
    assert failed.outcome is ModuleOutcome.IMPORT_FAILED and failed.optional
    assert f"{module} needs {needs}, which is not installed" in result.detail
    assert result.installed == (f"{project}==1.0",), "an optional dependency is not installed"


def test_the_probe_command_prints_notes_and_details_as_written(
    index: IndexServer, tmp_path: Path
) -> None:
    """`fttrack probe` shows the verdict's notes, and a module's detail keeps its
    brackets ("ftextra[d]" is not console markup)."""
    shown = subprocess.run(
        [*FTTRACK, "probe", "ftextra==1.0", "--target", TARGET],
        env=fttrack_env(index.index_url, tmp_path / "fttrack.db", COLUMNS="200"),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert ": ready" in shown.stdout
    assert "ftextrad needs ftprovided, which is not installed" in shown.stdout
    assert "install ftextra[d]" in shown.stdout
