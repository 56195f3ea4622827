"""The examples of README.md and docs/*.md run as written.

Every ```console block holds commands that need no network and no service
(``$ fttrack ...``), each followed by its output. Each command is run from the
repository root with ``COLUMNS=100``, a fresh SQLite database and the shipped
snapshot; it must not fail with a usage error or a traceback, and:

- in a ```console block, what it prints (standard output and error, in the
  order written) must equal the lines shown, trailing spaces aside;
- in a ```console first-line block (outputs with times, paths or this
  machine's interpreters), the first line shown must appear in what it prints.

Blocks that need the network or a running service are fenced as ```sh and not
run. Relative links between these files must lead to files that exist.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```console( first-line)?\n(.*?)^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)\s]*)?\)")


@dataclass(frozen=True)
class Example:
    """One ``$ fttrack`` command of a page and the output shown under it."""

    page: str
    command: str
    shown: tuple[str, ...]
    whole: bool

    @property
    def id(self) -> str:
        return f"{self.page}: {self.command}"


def examples() -> list[Example]:
    """Every ``$ fttrack`` line of a console block, in README.md and docs/*.md."""
    found: list[Example] = []
    for page in PAGES:
        name = str(page.relative_to(ROOT))
        for first_line, block in BLOCK.findall(page.read_text()):
            command: str | None = None
            output: list[str] = []
            for line in block.splitlines():
                if line.startswith("$ "):
                    if command is not None:
                        found.append(Example(name, command, tuple(output), not first_line))
                    command, output = line[2:], []
                elif command is not None:
                    output.append(line)
            if command is not None:
                found.append(Example(name, command, tuple(output), not first_line))
    return [e for e in found if e.command.startswith("fttrack ")]


def run(command: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``command`` (an ``fttrack`` command line) offline from the repository root."""
    argv = shlex.split(command)
    env = dict(
        os.environ,
        FTTRACK_DB=f"sqlite:///{tmp_path / 'fttrack.db'}",
        FTTRACK_DATA_DIR=str(tmp_path / "data"),
        # nothing listens there: an example that reached for the index would fail
        FTTRACK_INDEX_URL="http://127.0.0.1:9/simple/",
        COLUMNS="100",
        PYTHONUNBUFFERED="1",
    )
    env.pop("FTTRACK_SNAPSHOT", None)
    env.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", *argv[1:]],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=180,
    )  # fmt: skip


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def test_the_pages_have_runnable_examples() -> None:
    readme = [e for e in examples() if e.page == "README.md"]
    assert any(e.command == "fttrack audit examples/requirements.txt" and e.whole for e in readme)
    assert len(examples()) >= 5


def test_links_between_pages_lead_to_files() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(page.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.id)
def test_example_prints_what_is_shown(example: Example, tmp_path: Path) -> None:
    completed = run(example.command, tmp_path)
    printed = completed.stdout
    assert completed.returncode in (0, 1), printed
    assert "Traceback" not in printed
    if example.whole:
        assert _lines(printed) == _lines("\n".join(example.shown)), (
            f"{example.page} shows another output; `{example.command}` printed:\n{printed}"
        )
    else:
        first = next((line.strip() for line in example.shown if line.strip()), None)
        assert first is not None, f"{example.page}: `{example.command}` shows no output"
        assert first in printed, f"{example.page} shows {first!r}; the command printed:\n{printed}"
