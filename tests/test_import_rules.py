"""What the import contract (``[tool.importlinter]`` in pyproject.toml) cannot see.

The CLI names its commands by string (``"tui.command:tui"``: importing the
TUI's command would load textual for every command, and ``tracker`` never
imports ``tui``): each string must name the click command it is registered as.
``bench/`` and ``scripts/`` are not packages: they must import nothing from
``tests/`` (what they share with the tests lives in ``testkit/``).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import click
import pytest

from tracker.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_string_names_its_click_command(name: str) -> None:
    module_name, _, attribute = COMMANDS[name].partition(":")
    command = getattr(importlib.import_module(module_name), attribute)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert cli.get_command(click.Context(cli), name) is command


def test_the_tui_command_is_named_by_string_only() -> None:
    assert COMMANDS["tui"] == "tui.command:tui"
    source = (ROOT / "tracker/cli.py").read_text()
    assert not [n for n in _imported(ast.parse(source)) if n.split(".")[0] == "tui"]


def _imported(tree: ast.AST) -> list[str]:
    """The modules a file imports (at any depth, absolute imports only)."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _python_files(folder: Path) -> list[Path]:
    """The Python files of ``folder``: ``*.py`` and scripts whose first line runs python."""
    found = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        if path.suffix == ".py" or path.read_bytes()[:64].split(b"\n")[0].endswith(b"python3"):
            found.append(path)
    return found


@pytest.mark.parametrize("folder", ["bench", "scripts"])
def test_bench_and_scripts_import_nothing_from_tests(folder: str) -> None:
    files = _python_files(ROOT / folder)
    assert files
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        wrong = [n for n in _imported(tree) if n == "tests" or n.startswith("tests.")]
        assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}: move it to testkit/"
