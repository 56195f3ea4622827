"""Snapshot tests: each screen at 120×36 (and the main ones at 80×24) over the fixed feed
in tests/assets/tui/.

Update after an intended change with ``pytest tests/tui --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DirectoryTree

from tests.tui.conftest import SIZE
from tests.tui.helpers import settle
from tui.app import FttrackApp


def run_then(*keys: str, project: str | None = None) -> Callable[[Pilot[Any]], Any]:
    """A ``run_before`` that waits for the workers, then opens ``project`` and presses ``keys``."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if project is not None:
            app = pilot.app
            assert isinstance(app, FttrackApp)
            app.open_project(project)
            await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


def test_browse(snap_compare: Any, make_app: Callable[..., FttrackApp]) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_then())


def test_browse_searched_and_sorted(snap_compare: Any, make_app: Callable[..., FttrackApp]) -> None:
    app = make_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=run_then("2", "slash", "r", "e"))


def test_detail(snap_compare: Any, make_app: Callable[..., FttrackApp]) -> None:
    run_before = run_then("down", project="cryptography")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_audit(snap_compare: Any, make_app: Callable[..., FttrackApp]) -> None:
    app = make_app(lockfile=Path("requirements.txt"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_then())


def test_help(snap_compare: Any, make_app: Callable[..., FttrackApp]) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_then("question_mark"))


def test_export_dialog(snap_compare: Any, make_app: Callable[..., FttrackApp]) -> None:
    app = make_app(lockfile=Path("requirements.txt"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_then("e"))


def test_browse_80x24(snap_compare: Any, make_app: Callable[..., FttrackApp]) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_then())


def test_browse_80x24_default_target(
    snap_compare: Any, make_app: Callable[..., FttrackApp]
) -> None:
    """No --target: the newest probed target's column comes first, beside the name."""
    app = make_app(target=None)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_then())


def test_detail_80x24(snap_compare: Any, make_app: Callable[..., FttrackApp]) -> None:
    run_before = run_then("down", project="cryptography")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_detail_probe_details(snap_compare: Any, make_app: Callable[..., FttrackApp]) -> None:
    run_before = run_then("down", "t", project="cryptography")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_picker(snap_compare: Any, make_app: Callable[..., FttrackApp]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a", *"req")
        # the directory tree's loader is a worker that never ends: wait for it to list
        tree = pilot.app.screen.query_one("#picker-tree", DirectoryTree)
        for _ in range(200):
            await pilot.pause(0.01)
            if tree.root.children:
                break
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
