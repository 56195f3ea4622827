"""Pilot tests of the project detail screen: grid, compact verdict panel, badge."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.notifications import Notify
from textual.widgets import Static

from tests.tui.conftest import SIZE, Recorder
from tests.tui.helpers import screen_lines, settle
from tracker.wheels import this_platform
from tui.app import FttrackApp
from tui.messages import DocumentLoaded
from tui.screens.browse import BrowseScreen
from tui.screens.detail import DetailScreen


def panel(app: FttrackApp) -> str:
    return str(app.screen.query_one("#verdict", Static).render())


def detail(app: FttrackApp) -> DetailScreen:
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    return screen


def test_grid_marks_first_ready_and_panel_follows_cursor(
    make_app: Callable[..., FttrackApp],
) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_project("cryptography")
            await settle(pilot)
            screen = detail(app)
            grid = screen.grid
            assert [str(k.value) for k in grid.rows] == ["46.0.1", "44.0.0"]
            labels = [str(c.label) for c in grid.columns.values()]
            assert labels[0] == "version" and "3.13t\nlinux x64" in labels
            # the cursor starts on the current release, this machine's 3.14t column
            assert grid.cursor_coordinate.row == 0
            column = screen.columns[grid.cursor_column - 1]
            assert (column.target, column.platform) == ("3.14t", "manylinux_x86_64")
            assert "★" in str(grid.get_cell_at(grid.cursor_coordinate))
            text = panel(app)
            assert "cryptography 46.0.1 on 3.14t: ready" in text
            assert "proven by a probe" in text and "first ready: 46.0.1" in text
            await pilot.press("down")  # 44.0.0 on 3.14t: the culprit belongs to cffi
            text = panel(app)
            assert "gil-reenabled" in text and "_cffi_backend (from cffi, a dependency)" in text
            assert "maintainer says: 2 - Beta" in text
            assert "python 3.14.7" in text and "sandbox bwrap" in text
            header = str(screen.query_one("#detail-header", Static).render())
            assert "2 - Beta" in header and "3.13t 46.0.1" in header

    asyncio.run(scenario())


def test_t_toggles_the_probe_details(make_app: Callable[..., FttrackApp]) -> None:
    """The panel is compact; modules, per-module timings and stderr only behind ``t``."""

    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_project("cryptography")
            await settle(pilot)
            await pilot.press("down")
            assert "modules (2)" not in panel(app) and "stderr (tail)" not in panel(app)
            await pilot.press("t")
            text = panel(app)
            assert "modules (2):" in text and "stderr (tail)" in text and "timings:" in text
            await pilot.press("t")
            assert "modules (2):" not in panel(app)

    asyncio.run(scenario())


def test_inferred_verdict_says_likely_and_from_which_release(
    make_app: Callable[..., FttrackApp],
) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_project("numpy")
            await settle(pilot)
            screen = detail(app)
            versions = [str(k.value) for k in screen.grid.rows]
            # 2.5.6 has a 3.14t wheel that no probe judged: 2.5.5's probe stands in
            screen.grid.move_cursor(row=versions.index("2.5.6"))
            await pilot.pause()
            text = panel(app)
            assert "likely ready (inferred from 2.5.5: its probe" in text
            assert "wheel" in str(screen.grid.get_cell_at(screen.grid.cursor_coordinate))

    asyncio.run(scenario())


def test_grid_opens_on_the_version_column_and_this_machines_platform(
    make_app: Callable[..., FttrackApp],
) -> None:
    async def scenario() -> None:
        app = make_app(platform=None, target=None)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.open_project("numpy")
            await settle(pilot)
            screen = detail(app)
            grid = screen.grid
            assert app.platform == this_platform()
            assert grid.scroll_x == 0 and grid.fixed_columns == 1
            assert str(grid.ordered_columns[0].label) == "version"
            first = screen.columns[0]
            assert first.platform in (this_platform(), "any", "*")
            lines = screen_lines(pilot)
            header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("version"))
            assert lines[header + 2].split()[0] == "2.6.0rc1"  # versions, newest first

    asyncio.run(scenario())


def test_b_copies_the_badge_markdown_from_the_public_url(
    make_app: Callable[..., FttrackApp], recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FTTRACK_PUBLIC_URL", "https://ft.example.org/")

    async def scenario() -> None:
        app = make_app()
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


def test_b_without_a_public_url_says_how_to_set_it(
    make_app: Callable[..., FttrackApp], recorder: Recorder
) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            app.open_project("numpy")
            await settle(pilot)
            await pilot.press("b")
            await pilot.pause()
            assert app.clipboard == ""
            notices = [m.notification for m in recorder.of(Notify)]
            assert notices[-1].severity == "warning"
            assert "FTTRACK_PUBLIC_URL" in notices[-1].message
            assert "127.0.0.1" not in notices[-1].message

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
            assert "not tracked by the snapshot feed.json" in header
            await pilot.press("escape")
            assert isinstance(app.screen, BrowseScreen)

    asyncio.run(scenario())
