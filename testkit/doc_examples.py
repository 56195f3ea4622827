"""The ``$ fttrack ...`` examples of README.md and docs/*.md: finding them and running one.

``tests/test_readme.py`` checks that each prints what its page shows;
``scripts/regenerate-doc-examples`` prints them all again, in place. A
``console`` block holds commands that need no network and no service, each
followed by its output (``console first-line``: only the first line is fixed).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BLOCK", "PAGES", "ROOT", "Example", "examples", "run"]

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```console( first-line)?\n(.*?)^```", re.MULTILINE | re.DOTALL)


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
