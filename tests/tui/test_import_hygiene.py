"""``tracker`` never imports ``textual`` or ``tui``: the core stays free of the UI.

``fttrack tui`` is the command ``tui.command:tui``, which the CLI names by string
and imports only when it runs; that module imports the app (and textual) only
inside its command function. The import contract in pyproject.toml
(import-linter) holds every module to its floor.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("textual", "tui")

_PROBE = """
import importlib, json, pkgutil, sys
import tracker
failed = {}
for info in pkgutil.walk_packages(tracker.__path__, "tracker."):
    if ".migrations" in info.name:
        continue
    try:
        importlib.import_module(info.name)
    except Exception as exc:  # a module needing an optional extra: reported, not hidden
        failed[info.name] = repr(exc)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "tui"))
print(json.dumps({"loaded": loaded, "failed": failed}))
"""


def _top(name: str) -> str:
    return name.split(".")[0]


def test_importing_every_tracker_module_loads_no_ui() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    assert report["failed"] == {}


def test_no_tracker_module_imports_the_ui_at_module_level() -> None:
    offenders = []
    for path in sorted((ROOT / "tracker").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if _top(name) in FORBIDDEN:
                    offenders.append(
                        f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)} imports {name}"
                    )
    assert offenders == []


def test_the_lazy_entry_point_really_defers_the_ui() -> None:
    code = (
        "import sys, tui.command; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m == 'tui.app'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_import_contract_holds() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # every contract of pyproject.toml is checked and kept (the TUI's two among them)
    declared = (ROOT / "pyproject.toml").read_text().count("[[tool.importlinter.contracts]]")
    assert f"Contracts: {declared} kept, 0 broken." in result.stdout
