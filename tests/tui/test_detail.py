"""Pilot tests of the project detail screen: grid, verdict panel, badge."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.notifications import Notify
from textual.widgets import Static

from tests.tui.conftest import SIZE, Recorder
from tests.tui.helpers import settle
from tui.app import FttrackApp
from tui.messages import DocumentLoaded
from tui.screens.browse import BrowseScreen
from tui.screens.detail import DetailScreen


def panel(app: FttrackApp) -> str:
    return str(app.screen.query_one("#verdict", Static).render())


def test_grid_marks_first_ready_and_panel_follows_cursor(
    make_app: Callable[..., FttrackApp],
) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_project("cryptography")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DetailScreen)
            grid = screen.grid
            assert [str(k.value) for k in grid.rows] == ["46.0.1", "44.0.0"]
            labels = [str(c.label) for c in grid.columns.values()]
            assert labels[0] == "version" and "3.13t\nlinux x64" in labels
            # the cursor starts on the current release, first 3.14t column
            assert grid.cursor_coordinate.row == 0
            assert screen.columns[grid.cursor_column - 1].target == "3.14t"
            assert "★" in str(grid.get_cell_at(grid.cursor_coordinate))
            assert "cryptography 46.0.1 on 3.14t: ready" in panel(app)
            await pilot.press("down")  # 44.0.0 on 3.14t: the culprit belongs to cffi
            text = panel(app)
            assert "gil-reenabled" in text and "_cffi_backend" in text
            assert "from cffi, a dependency" in text
            assert "interpreter 3.14.7" in text and "sandbox bwrap" in text
            assert "stderr (tail)" in text
            header = str(screen.query_one("#detail-header", Static).render())
            assert "2 - Beta" in header and "3.13t 46.0.1" in header

    asyncio.run(scenario())


def test_b_copies_the_badge_markdown(
    make_app: Callable[..., FttrackApp], recorder: Recorder
) -> None:
    async def scenario() -> None:
        app = make_app(base_url="https://ft.example.org/")
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            app.open_project("numpy")
            await settle(pilot)
            await pilot.press("b")
            await pilot.pause()
            expected = (
                "[![free-threaded 3.14t](https://ft.example.org/badges/numpy.svg?target=3.14t)]"
                "(https://ft.example.org/api/v1/projects/numpy)"
            )
            assert app.clipboard == expected
            notices = [m.notification for m in recorder.of(Notify)]
            assert notices[-1].message == expected and notices[-1].severity == "information"

    asyncio.run(scenario())


def test_untracked_project_is_read_from_the_source_and_said(
    make_app: Callable[..., FttrackApp], recorder: Recorder
) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            app.open_project("notinthefeed")
            await settle(pilot)
            loaded = recorder.of(DocumentLoaded)
            assert [(m.name, m.document) for m in loaded] == [("notinthefeed", None)]
            header = str(app.screen.query_one("#detail-header", Static).render())
            assert "not tracked by the snapshot" in header
            await pilot.press("escape")
            assert isinstance(app.screen, BrowseScreen)

    asyncio.run(scenario())
