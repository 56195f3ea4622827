"""The test process leaves unselected files uncollected: a phase that runs 300 of
pandas' 216,000 tests imports their files only, not the whole tree again."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

from tracker.probe.stress_child import _Reporter


def _reporter(select: list[str] | None, root: Path) -> _Reporter:
    reporter = _Reporter(-1, {"args": [], "select": select, "stall": 120}, io.StringIO())
    reporter.pytest_configure(SimpleNamespace(rootpath=root))
    return reporter


def test_only_the_selected_files_and_their_directories_are_collected(tmp_path: Path) -> None:
    reporter = _reporter(["pkg/tests/a/test_x.py::test_one", "pkg/tests/test_y.py::T::t"],
                         tmp_path)  # fmt: skip
    ignored = {
        name: reporter.pytest_ignore_collect(tmp_path / name, None)
        for name in ("pkg", "pkg/tests", "pkg/tests/a", "pkg/tests/a/test_x.py",
                     "pkg/tests/test_y.py", "pkg/tests/test_z.py", "pkg/tests/b",
                     "pkg/tests/b/test_w.py", "pkg/tests/b/conftest.py",
                     "pkg/tests/b/__init__.py")
    }  # fmt: skip
    assert ignored == {
        "pkg": None, "pkg/tests": None, "pkg/tests/a": None, "pkg/tests/a/test_x.py": None,
        "pkg/tests/test_y.py": None, "pkg/tests/test_z.py": True, "pkg/tests/b": True,
        "pkg/tests/b/test_w.py": True, "pkg/tests/b/conftest.py": None,
        "pkg/tests/b/__init__.py": None,
    }  # fmt: skip


def test_collecting_everything_ignores_nothing(tmp_path: Path) -> None:
    reporter = _reporter(None, tmp_path)
    assert reporter.pytest_ignore_collect(tmp_path / "pkg/tests/test_z.py", None) is None
