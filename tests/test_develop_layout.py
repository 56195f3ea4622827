"""docs/develop.md's layout names every module of tracker/, so it cannot go stale."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _layout() -> str:
    text = (ROOT / "docs" / "develop.md").read_text()
    start = text.index("## Layout")
    return text[start : text.index("```", text.index("```", start) + 3)]


def test_every_tracker_module_is_named_in_the_layout() -> None:
    layout = _layout()
    missing = []
    for path in sorted((ROOT / "tracker").rglob("*.py")):
        relative = path.relative_to(ROOT / "tracker")
        if "migrations" in relative.parts:
            continue
        name = relative.parent.name + "/" if path.name == "__init__.py" else path.stem
        if name in ("/", "tracker/"):
            continue
        if not re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", layout):
            missing.append(str(relative))
    assert missing == [], f"docs/develop.md's layout does not name: {missing}"
