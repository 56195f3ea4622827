"""The first ten minutes: the shipped snapshot lists, Tab reaches the filters, typed
text is kept, and an 80×24 terminal still shows Quit and Help."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Checkbox, DirectoryTree, Input, Select

from tests.tui.conftest import SIZE
from tests.tui.helpers import screen_lines, settle
from tracker.datafiles import snapshot_path
from tracker.documents import ProjectDocument
from tracker.verdicts.snapshot import SnapshotSource
from tui.app import FttrackApp
from tui.screens.audit import AuditScreen
from tui.screens.browse import BrowseScreen
from tui.screens.detail import DetailScreen
from tui.screens.picker import PickerScreen

SMALL = (80, 24)


def test_the_shipped_snapshot_lists_its_projects(in_assets: Path) -> None:
    """The real data/snapshot.json.gz: every summary is a row, and rows are painted."""
    source = SnapshotSource(snapshot_path())
    expected = len(source.summaries())
    assert expected >= 1000

    async def scenario() -> None:
        app = FttrackApp(SnapshotSource(snapshot_path()))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, BrowseScreen)
            assert screen.table.row_count == expected == len(screen.all_rows)
            first = screen.shown[0].key
            lines = screen_lines(pilot)
            assert any(line.lstrip().startswith(first) for line in lines)
            assert f"{expected} of {expected} projects" in "\n".join(lines)
            assert app.target in ("3.13t", "3.14t", "3.15t") and app.target_probed

    asyncio.run(scenario())


def test_80_columns_show_the_name_and_the_judged_targets_column(in_assets: Path) -> None:
    """On the shipped snapshot at 80×24 the judged target (the newest probed one) is the
    first target column: its header and each row's status on it are on screen, beside the
    project's name, without scrolling."""

    async def scenario() -> None:
        app = FttrackApp(SnapshotSource(snapshot_path()))
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, BrowseScreen)
            target = app.target
            assert target is not None and screen.targets_shown[0] == target
            lines = screen_lines(pilot)
            header = next(i for i, line in enumerate(lines) if " project " in line)
            start = lines[header].find(f" {target} ") + 1
            assert start > 0 and start + len(target) <= SMALL[0], lines[header]
            for row, line in zip(screen.shown, lines[header + 1 : header + 6], strict=False):
                shown_name = row.summary.display_name or row.summary.name
                assert line.lstrip().startswith(shown_name[:20]), line
                status = row.summary.cell(target).status.value
                assert line[start:].startswith(status[: SMALL[0] - start]), (line, status)

    asyncio.run(scenario())


def test_tab_goes_table_then_search_then_filters(make_app: Callable[..., FttrackApp]) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, BrowseScreen) and screen.table.has_focus
            order = []
            for _ in range(6):
                await pilot.press("tab")
                focused = app.focused
                assert focused is not None
                order.append(focused.id)
            assert order == ["search", "status", "target", "watch", "culprits", "projects"]
            # Tab out of a search with text keeps the text and reaches the filters
            await pilot.press("slash", "n", "u", "tab")
            assert isinstance(app.focused, Select) and app.focused.id == "status"
            assert screen.query_one("#search", Input).value == "nu"
            await pilot.press("shift+tab")
            back = app.focused
            assert isinstance(back, Input) and back.id == "search"
            await pilot.press("tab", "tab", "tab", "tab")
            assert isinstance(app.focused, Checkbox)

    asyncio.run(scenario())


def test_footer_names_search_and_filters_keys(make_app: Callable[..., FttrackApp]) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot)
            footer = screen_lines(pilot)[-1]
            for words in ("Quit", "Help", "/ Search", "Tab Filters", "Sort"):
                assert words in footer, footer

    asyncio.run(scenario())


def test_picker_keeps_what_is_typed_at_once(make_app: Callable[..., FttrackApp]) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("a", *"requirements")
            screen = app.screen
            assert isinstance(screen, PickerScreen)
            field = screen.query_one("#picker-path", Input)
            assert field.has_focus and field.value == "requirements"
            # typing while the tree has the focus goes to the path field too
            screen.query_one(DirectoryTree).focus()
            await pilot.pause()
            await pilot.press(*".txt")
            assert field.has_focus and field.value == "requirements.txt"
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, AuditScreen)
            assert app.screen.report is not None and len(app.screen.entries) == 12

    asyncio.run(scenario())


@pytest.mark.parametrize("where", ["browse", "detail", "audit"])
def test_80x24_shows_quit_and_help(make_app: Callable[..., FttrackApp], where: str) -> None:
    async def scenario() -> None:
        lockfile = Path("requirements.txt") if where == "audit" else None
        app = make_app(lockfile=lockfile)
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot)
            if where == "detail":
                app.open_project("cryptography")
                await settle(pilot)
                assert isinstance(app.screen, DetailScreen)
            lines = screen_lines(pilot)
            assert len(lines) == 24
            assert "q Quit" in lines[-1] and "? Help" in lines[-1], lines[-1]
            await pilot.press("question_mark")
            assert app.screen.__class__.__name__ == "HelpScreen"

    asyncio.run(scenario())


class CountingSource(SnapshotSource):
    """The real snapshot source, counting the project histories it is asked for."""

    def __init__(self) -> None:
        super().__init__(snapshot_path())
        self.read: list[str] = []

    def project(self, name: str) -> ProjectDocument | None:
        self.read.append(name)
        return super().project(name)


def test_browse_reads_no_history_and_a_project_on_demand(in_assets: Path) -> None:
    source = CountingSource()

    async def scenario() -> None:
        app = FttrackApp(source)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, BrowseScreen) and app.screen.table.row_count > 0
            assert source.read == []  # the list came from the summaries alone
            await pilot.press("slash", *"numpy", "enter", "enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen) and app.screen.document is not None
            assert source.read == ["numpy"]
            await pilot.press("escape", "enter")  # opened again: from memory
            await settle(pilot)
            assert source.read == ["numpy"]

    asyncio.run(scenario())


def test_quit_and_help_stay_in_the_footer_while_typing(
    make_app: Callable[..., FttrackApp],
) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot)
            await pilot.press("slash", "q")
            assert app.screen.query_one("#search", Input).value == "q"
            footer = screen_lines(pilot)[-1]
            assert "^q Quit" in footer and "F1 Help" in footer, footer
            await pilot.press("f1")
            assert app.screen.__class__.__name__ == "HelpScreen"
            await pilot.press("escape")
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert not app.is_running

    asyncio.run(scenario())
