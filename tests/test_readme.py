"""The README's examples run as written.

Every ```console block holds commands that need no network (``$ fttrack ...``)
followed by their output. Each command is run from the repository root; it
must not fail with a usage error or a traceback, and the first line of the
output shown in the README must appear in what it prints now, so the README
cannot drift from the program. Blocks that need the network or a service are
fenced as ```sh and not run.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples() -> list[tuple[str, list[str]]]:
    """(command, output lines shown for it) for every ``$ fttrack`` line."""
    found: list[tuple[str, list[str]]] = []
    for block in BLOCK.findall(README.read_text()):
        command: str | None = None
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    found.append((command, output))
                command, output = line[2:], []
            elif command is not None:
                output.append(line)
        if command is not None:
            found.append((command, output))
    return [(c, o) for c, o in found if c.startswith("fttrack ")]


def test_the_readme_has_runnable_examples() -> None:
    commands = [c for c, _ in examples()]
    assert len(commands) >= 5
    assert any(c.startswith("fttrack audit examples/requirements.txt") for c in commands)


@pytest.mark.parametrize(("command", "shown"), examples(), ids=[c for c, _ in examples()])
def test_readme_example_runs(command: str, shown: list[str], tmp_path: Path) -> None:
    argv = shlex.split(command)
    env = dict(os.environ, FTTRACK_DB=f"sqlite:///{tmp_path / 'fttrack.db'}", COLUMNS="100")
    env.pop("FTTRACK_SNAPSHOT", None)
    completed = subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", *argv[1:]],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    printed = completed.stdout + completed.stderr
    assert completed.returncode in (0, 1), printed
    assert "Traceback" not in printed
    first = next((line.strip() for line in shown if line.strip()), None)
    if first is not None:
        assert first in printed, f"README shows {first!r}; the command printed:\n{printed}"
