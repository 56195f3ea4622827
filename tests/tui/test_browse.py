"""Pilot tests of the browse screen: listing, search, filters, sort, open, help."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.notifications import Notify
from textual.widgets import Checkbox, Input, Select

from tests.tui.conftest import SIZE, Recorder
from tests.tui.helpers import settle
from tracker.models import Status
from tracker.verdicts.remote import RemoteSource
from tui.app import FttrackApp
from tui.messages import ProjectsLoaded, WorkFailed
from tui.screens.browse import BrowseScreen
from tui.screens.detail import DetailScreen
from tui.screens.help import HelpScreen


def browse(app: FttrackApp) -> BrowseScreen:
    screen = app.screen
    assert isinstance(screen, BrowseScreen)
    return screen


def shown(app: FttrackApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, BrowseScreen)
    assert screen.table.row_count == len(screen.shown)
    return [row.key for row in screen.shown]


def test_lists_every_project_and_posts_projects_loaded(
    make_app: Callable[..., FttrackApp], recorder: Recorder
) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            assert len(shown(app)) == 12
            assert shown(app)[:3] == ["certifi", "charset-normalizer", "cryptography"]
            loaded = recorder.of(ProjectsLoaded)
            assert len(loaded) == 1 and len(loaded[0].rows) == 12
            assert "feed.json" in loaded[0].source
            assert not browse(app).table.loading

    asyncio.run(scenario())


def test_slash_focuses_search_and_typing_narrows(make_app: Callable[..., FttrackApp]) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            search = app.screen.query_one("#search", Input)
            assert search.has_focus and search.value == ""
            await pilot.press("u")
            assert shown(app) == ["numpy", "requests", "urllib3", "uwsgi"]
            await pilot.press("r", "l")
            assert shown(app) == ["urllib3"]
            await pilot.press("escape")  # leaves the search box
            assert browse(app).table.has_focus
            await pilot.press("escape")  # clears the search
            assert search.value == "" and len(shown(app)) == 12

    asyncio.run(scenario())


def test_enter_opens_detail_and_escape_goes_back(make_app: Callable[..., FttrackApp]) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"numpy", "enter")
            assert shown(app) == ["numpy"] and browse(app).table.has_focus
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.project_name == "numpy"
            await pilot.press("escape")
            assert isinstance(app.screen, BrowseScreen)

    asyncio.run(scenario())


def test_filters_status_target_culprits_watch(make_app: Callable[..., FttrackApp]) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            screen.query_one("#status", Select).value = Status.READY
            await pilot.pause()
            assert shown(app) == ["charset-normalizer", "cryptography", "numpy"]
            screen.query_one("#target", Select).value = "3.13t"
            await pilot.pause()
            assert shown(app) == ["cryptography"]  # the only current release ready on 3.13t
            screen.query_one("#status", Select).value = Select.NULL
            screen.query_one("#target", Select).value = Select.NULL
            screen.query_one("#culprits", Checkbox).value = True
            await pilot.pause()
            assert shown(app) == ["pyzmq"]
            screen.query_one("#culprits", Checkbox).value = False
            screen.query_one("#watch", Select).value = "manual"
            await pilot.pause()
            assert shown(app) == ["uwsgi"]
            screen.query_one("#watch", Select).value = "none"
            await pilot.pause()
            assert shown(app) == ["pyzmq"]

    asyncio.run(scenario())


def test_sort_by_target_status_and_back(make_app: Callable[..., FttrackApp]) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("2")  # 3.14t, best first
            order = shown(app)
            assert order[:3] == ["charset-normalizer", "cryptography", "numpy"]  # ready
            assert order[-1] == "pyzmq"  # gil-reenabled is the worst
            await pilot.press("2")  # again: reversed
            assert shown(app)[0] == "pyzmq"
            await pilot.press("n")
            assert shown(app)[0] == "certifi"

    asyncio.run(scenario())


def test_help_opens_with_question_mark_and_closes(make_app: Callable[..., FttrackApp]) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            assert isinstance(app.screen, BrowseScreen)

    asyncio.run(scenario())


def test_unreachable_server_is_a_notice_not_a_crash(
    make_app: Callable[..., FttrackApp], recorder: Recorder
) -> None:
    async def scenario() -> None:
        app = make_app(source=RemoteSource("http://127.0.0.1:9", timeout=2.0))
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            failures = recorder.of(WorkFailed)
            assert failures and "127.0.0.1:9" in failures[0].error
            notices = [m.notification for m in recorder.of(Notify)]
            assert any(n.severity == "error" and "127.0.0.1:9" in n.message for n in notices)
            assert isinstance(app.screen, BrowseScreen) and app.is_running
            assert not browse(app).table.loading

    asyncio.run(scenario())


def test_bad_snapshot_is_a_notice(make_app: Callable[..., FttrackApp], recorder: Recorder) -> None:
    from tracker.verdicts.snapshot import SnapshotSource

    async def scenario() -> None:
        app = make_app(source=SnapshotSource("requirements.txt"))
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            notices = [m.notification for m in recorder.of(Notify)]
            assert [n.severity for n in notices] == ["error"]
            assert "requirements.txt" in notices[0].message

    asyncio.run(scenario())
