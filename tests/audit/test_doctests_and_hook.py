"""The doctests of the auditor's modules, and the pre-commit hook definition."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

MODULES = [
    "tracker.audit.sources",
    "tracker.audit.sources.requirements",
    "tracker.audit.environment",
    "tracker.audit.report",
    "tracker.commands.audit_output",
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0
    assert result.failed == 0


def test_pre_commit_hook_matches_dependency_files() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "id: fttrack-audit" in text and "entry: fttrack audit" in text
    match = re.search(r"^\s*files: (.+)$", text, re.MULTILINE)
    assert match is not None
    pattern = re.compile(match.group(1))
    for name in (
        "uv.lock",
        "sub/poetry.lock",
        "requirements-dev.txt",
        "pylock.toml",
        "pyproject.toml",
    ):
        assert pattern.search(name), name
    for name in ("README.md", "src/uv.lock.bak", "setup.py"):
        assert not pattern.search(name), name
