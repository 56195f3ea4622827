"""A verdict the package cannot cheaply forge: the ``-v`` lines on stderr (which the
package controls) are cross-checked against the interpreter's own report."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.wheelbuild import Extension, build_binary_wheel, build_pure_wheel
from tests.probe.conftest import ProbeWheel
from tracker.models import ModuleOutcome, ProbeResult, Status
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
    assert "not counted" in result.detail


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


# The package replaces the probe child's own reference to ``sys._is_gil_enabled``
# and silences fd 2, next to an extension module that does not declare Py_mod_gil.
PATCH_MAIN = """import os, sys
sys.modules["__main__"]._IS_GIL_ENABLED = lambda: False
os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
"""
#: Variants of that forgery, each ending with the import of the GIL-needing module.
VARIANTS = {
    "main": PATCH_MAIN,
    "sysgil": PATCH_MAIN + "sys._is_gil_enabled = lambda: False\n",
    "warnings": PATCH_MAIN
    + "import warnings\nwarnings.simplefilter('ignore')\n"
    + "warnings.showwarning = lambda *a, **k: None\n",
    "closefds": PATCH_MAIN + "os.closerange(3, 65536)\n",
    "fakev": PATCH_MAIN.replace("os.dup2", "pass  # ")
    + "for stream in (sys.stdout, sys.stderr):\n"
    + "    stream.write(\"# loading module 'json', which requires the GIL\\n\")\n"
    + '    stream.write("#fttrack-start nothing\\n")\n'
    + "    stream.flush()\n",
}


def _variant_wheel(dest: Path, interpreter: Interpreter, variant: str) -> Path:
    name = f"ftv{variant}"
    code = VARIANTS[variant] + f"from {name} import _core\n"
    return build_binary_wheel(
        dest, interpreter.path, name, [Extension(f"{name}._core", "bad")],
        python_files={f"{name}/__init__.py": code},
    )  # fmt: skip


def _judged_honestly(result: ProbeResult, name: str) -> None:
    assert result.status is not Status.READY, result
    if result.status is Status.GIL_REENABLED:
        top = {m.name: m for m in result.modules}[name]
        assert top.outcome is ModuleOutcome.GIL_REENABLED
    else:
        assert result.status in (Status.IMPORT_FAILED, Status.CRASHED), result
        assert result.detail or any(m.detail for m in result.modules)


def test_a_replaced_in_process_gil_check_is_not_believed(
    target_interpreter: Interpreter, tmp_path: Path, probe_wheel: ProbeWheel
) -> None:
    """The issue's forgery, on every target: the host reads the GIL flag itself."""
    wheel = _variant_wheel(tmp_path / "wheels", target_interpreter, "main")
    result = probe_wheel(wheel, target_interpreter)
    assert result.status is Status.GIL_REENABLED, result
    assert {m.name: m.outcome for m in result.modules}["ftvmain"] is ModuleOutcome.GIL_REENABLED
    assert "the host read the GIL enabled" in result.detail


@pytest.mark.parametrize("level", ["bwrap", "unshare"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_forgery_variants_are_judged_honestly(
    variant: str, level: str, interpreters: dict[str, Interpreter], tmp_path: Path,
    probe_wheel: ProbeWheel,
) -> None:  # fmt: skip
    interpreter = interpreters["3.14t"]
    wheel = _variant_wheel(tmp_path / "wheels", interpreter, variant)
    result = probe_wheel(wheel, interpreter, level=level)
    assert result.sandbox.startswith(level)
    _judged_honestly(result, f"ftv{variant}")
    if variant == "fakev":
        assert all(c.module != "json" for c in result.culprits)
