"""Fixtures for probe tests: real free-threaded interpreters and wheels built from C.

A missing interpreter is a failure, not a skip: ``.ci/run`` installs 3.13t, 3.14t and
3.15t before the tests run (``fttrack python install``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from testkit.wheelbuild import Extension, build_binary_wheel, build_pure_wheel
from tracker.config import load_settings
from tracker.models import ProbeResult, Target, get_target
from tracker.probe import Limits
from tracker.probe.runner import ProbeRequest, run_probe
from tracker.probe.sandbox import choose_sandbox
from tracker.pythons.discover import Interpreter, find_interpreter

TARGETS = ["3.13t", "3.14t", "3.15t"]


@pytest.fixture(scope="session")
def interpreters() -> dict[str, Interpreter]:
    """Both free-threaded interpreters, found the way fttrack finds them."""
    settings = load_settings()
    found: dict[str, Interpreter] = {}
    for name in TARGETS:
        found[name] = find_interpreter(get_target(name), settings)
    return found


@pytest.fixture(scope="session", params=TARGETS)
def target_interpreter(
    request: pytest.FixtureRequest, interpreters: dict[str, Interpreter]
) -> Interpreter:
    """Each target in turn."""
    return interpreters[request.param]


def build_behaviour_wheels(dest: Path, python: Path) -> dict[str, Path]:
    """The behaviour fixture wheels for one interpreter, by short name."""
    wheels = {
        "good": build_binary_wheel(dest, python, "ftgood", [Extension("ftgood._core", "good")],
                                   python_files={"ftgood/__init__.py": "from ftgood import _core\n"}),
        "bad": build_binary_wheel(dest, python, "ftbad", [Extension("ftbad._core", "bad")],
                                  python_files={"ftbad/__init__.py": "from ftbad import _core\n"}),
        "single": build_binary_wheel(dest, python, "ftsingle", [Extension("ftsingle", "single")]),
        "mixed": build_binary_wheel(
            dest, python, "ftmixed",
            [Extension("ftmixed.a", "good"), Extension("ftmixed.b", "bad"),
             Extension("ftmixed.c", "good"), Extension("ftmixed.d", "bad")],
            python_files={"ftmixed/__init__.py": ""},
        ),
        "crash": build_binary_wheel(
            dest, python, "ftcrash",
            [Extension("ftcrash.boom", "crash"), Extension("ftcrash.gil", "bad"),
             Extension("ftcrash.fine", "good")],
            python_files={"ftcrash/__init__.py": ""},
        ),
        "raise": build_binary_wheel(dest, python, "ftraise", [Extension("ftraise._core", "raise")],
                                    python_files={"ftraise/__init__.py": ""}),
        "optional": build_binary_wheel(
            dest, python, "ftoptional",
            [Extension("ftoptional._core", "good"), Extension("ftoptional.tests._helper", "bad"),
             Extension("ftoptional.tests._broken", "raise")],
            python_files={"ftoptional/__init__.py": "", "ftoptional/tests/__init__.py": "",
                          "_ftoptional_pytestplugin.py": "import pytest\n"},
        ),
        "cycle": build_binary_wheel(
            dest, python, "ftcycle", [Extension("ftcycle._core", "cycle")],
            python_files={"ftcycle/__init__.py": "",
                          "ftcycle/_user.py": "from ftcycle._core import value\n"},
        ),
        "pure": build_pure_wheel(dest, "ftpure", {"ftpure/__init__.py": "VALUE = 1\n"}),
        "dependent": build_pure_wheel(dest, "ftdependent",
                                      {"ftdependent/__init__.py": "import ftbad\n"},
                                      requires=("ftbad",)),
        "gilonly": build_binary_wheel(dest / "gilonly", python, "ftgilonly",
                                      [Extension("ftgilonly._core", "good")], abi_suffix=""),
    }  # fmt: skip
    return wheels


@pytest.fixture(scope="session")
def behaviour_wheels(
    tmp_path_factory: pytest.TempPathFactory, interpreters: dict[str, Interpreter]
) -> dict[str, dict[str, Path]]:
    """Fixture wheels per target name."""
    return {
        name: build_behaviour_wheels(tmp_path_factory.mktemp(f"wheels-{name}"), interp.path)
        for name, interp in interpreters.items()
    }


ProbeWheel = Callable[..., ProbeResult]


@pytest.fixture
def probe_wheel(tmp_path: Path) -> ProbeWheel:
    """Probe a local wheel offline with the strongest sandbox, as ``fttrack probe --wheel`` does."""

    def run(wheel: Path, interpreter: Interpreter, *, limits: Limits | None = None,
            level: str | None = None) -> ProbeResult:  # fmt: skip
        request = ProbeRequest(wheel=wheel, find_links=(wheel.parent,), offline=True)
        return run_probe(
            request,
            interpreter=interpreter,
            sandbox=choose_sandbox(level=level),
            uv_cache_dir=tmp_path / "uv-cache",
            limits=limits or Limits(wall_seconds=60, idle_seconds=30),
        )

    return run


def target_of(interpreter: Interpreter) -> Target:
    """The interpreter's target."""
    return interpreter.target
