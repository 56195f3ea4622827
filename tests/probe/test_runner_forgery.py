"""A verdict the package cannot cheaply forge: the ``-v`` lines on stderr (which the
package controls) are cross-checked against the interpreter's own report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.probe.conftest import ProbeWheel
from tests.wheelbuild import Extension, build_binary_wheel, build_pure_wheel
from tracker.models import ModuleOutcome, Status
from tracker.pythons.discover import Interpreter

FAKE_LINE = "# loading module 'ftfake._core', which requires the GIL"

SILENCE = """import os, sys
null = os.open(os.devnull, os.O_WRONLY)
os.dup2(null, 2)
sys.stderr = open(os.devnull, "w")
from {name} import _core
"""

# Silences stderr, really re-enables the GIL, then writes forged events (a hello with
# its own nonce, and a "done" that claims the GIL is disabled) to every open pipe.
FORGE = (
    SILENCE
    + """import json
forged = [{{"event": "hello", "nonce": "x"}},
          {{"event": "done", "module": "{name}", "gil": False, "nonce": "x"}},
          {{"event": "end", "gil": False, "nonce": "x"}}]
for entry in os.listdir("/proc/self/fd"):
    try:
        if os.readlink("/proc/self/fd/" + entry).startswith("pipe:"):
            for event in forged:
                os.write(int(entry), (json.dumps(event) + "\\n").encode())
    except OSError:
        pass
"""
)


@pytest.fixture(scope="module")
def forgery_wheels(
    tmp_path_factory: pytest.TempPathFactory, interpreters: dict[str, Interpreter]
) -> dict[str, dict[str, Path]]:
    """Per target: a fake ``-v`` line, a silenced stderr, and forged events."""
    wheels: dict[str, dict[str, Path]] = {}
    for target, interpreter in interpreters.items():
        dest = tmp_path_factory.mktemp(f"forgery-{target}")
        wheels[target] = {
            "fake": build_pure_wheel(
                dest, "ftfake",
                {"ftfake/__init__.py": f"import sys\nsys.stderr.write({FAKE_LINE!r} + '\\n')\n"},
            ),
            "silent": build_binary_wheel(
                dest, interpreter.path, "ftsilent", [Extension("ftsilent._core", "bad")],
                python_files={"ftsilent/__init__.py": SILENCE.format(name="ftsilent")},
            ),
            "forge": build_binary_wheel(
                dest, interpreter.path, "ftforge", [Extension("ftforge._core", "bad")],
                python_files={"ftforge/__init__.py": FORGE.format(name="ftforge")},
            ),
        }  # fmt: skip
    return wheels


def test_a_fake_gil_line_on_stderr_is_not_counted(
    target_interpreter: Interpreter,
    forgery_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(forgery_wheels[target_interpreter.target.name]["fake"], target_interpreter)
    assert result.culprits == ()
    assert result.status is Status.READY
    assert "stderr names ftfake._core as requiring the GIL" in result.detail
    assert "reports the GIL disabled" in result.detail


def test_silenced_stderr_still_shows_the_gil_reenabled(
    target_interpreter: Interpreter,
    forgery_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        forgery_wheels[target_interpreter.target.name]["silent"], target_interpreter
    )
    assert result.status is Status.GIL_REENABLED
    assert result.culprits == ()
    top = {m.name: m for m in result.modules}["ftsilent"]
    assert top.outcome is ModuleOutcome.GIL_REENABLED
    assert "no module was named" in top.detail
    assert "GIL enabled after importing ftsilent" in result.detail


def test_events_forged_on_the_pipe_are_ignored(
    target_interpreter: Interpreter,
    forgery_wheels: dict[str, dict[str, Path]],
    probe_wheel: ProbeWheel,
) -> None:
    result = probe_wheel(
        forgery_wheels[target_interpreter.target.name]["forge"], target_interpreter
    )
    assert result.status is Status.GIL_REENABLED
    assert {m.name: m.outcome for m in result.modules}["ftforge"] is ModuleOutcome.GIL_REENABLED
