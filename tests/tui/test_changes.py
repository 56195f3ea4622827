"""Pilot tests of the recent changes screen (``c`` from browse) and of the claim
mismatches on the project detail, over the fixed feed in tests/assets/tui/."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.widgets import Static

from tests.tui.conftest import SIZE, Recorder
from tests.tui.helpers import screen_lines, settle
from tests.tui.test_snapshots import run_then
from tracker.changes_index import ChangeIndex
from tracker.verdicts.snapshot import SnapshotSource
from tui.app import FttrackApp
from tui.messages import ChangesLoaded
from tui.screens.changes import ChangesScreen
from tui.screens.detail import DetailScreen


def changes(app: FttrackApp) -> ChangesScreen:
    screen = app.screen
    assert isinstance(screen, ChangesScreen)
    return screen


def test_c_opens_every_change_newest_first_as_fttrack_changes_lists_them(
    make_app: Callable[..., FttrackApp], recorder: Recorder
) -> None:
    expected = ChangeIndex.from_archive(SnapshotSource("feed.json").archive).changes

    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            assert "c Changes" in screen_lines(pilot)[-1]  # the browse footer shows the key
            await pilot.press("c")
            await settle(pilot)
            screen = changes(app)
            [loaded] = recorder.of(ChangesLoaded)
            assert [c.key for c in loaded.index.changes] == [c.key for c in expected]
            assert [c.key for c in screen.shown] == [c.key for c in expected]
            dates = [c.date or "" for c in screen.shown]
            assert dates == sorted(dates, reverse=True)
            assert screen.table.row_count == 10
            info = str(screen.query_one("#changes-info", Static).render())
            assert info.startswith("10 changes · every kind")
            lines = "\n".join(screen_lines(pilot))
            assert "charset-normalizer" in lines and "now ready" in lines
            assert "Kind" in screen_lines(pilot)[-1]  # the footer shows the key

    asyncio.run(scenario())


def test_k_cycles_the_kind_and_enter_opens_the_project(
    make_app: Callable[..., FttrackApp],
) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.action_changes()
            await settle(pilot)
            screen = changes(app)
            await pilot.press("k")  # first-ft-wheel
            assert {c.kind.value for c in screen.shown} == {"first-ft-wheel"}
            assert len(screen.shown) == 3
            await pilot.press("k", "k", "k")  # now-ready, fixed, regressed
            assert [(c.project, c.kind.value) for c in screen.shown] == [("numpy", "regressed")]
            info = str(screen.query_one("#changes-info", Static).render())
            assert info.startswith("1 changes · regressed")
            await pilot.press("enter")
            await settle(pilot)
            detail = app.screen
            assert isinstance(detail, DetailScreen) and detail.project_name == "numpy"
            await pilot.press("escape")
            await settle(pilot)
            assert changes(app).kind is not None and changes(app).kind.value == "regressed"
            for _ in range(4):  # target-dropped, races-found, races-fixed, then every kind
                await pilot.press("k")
            assert changes(app).kind is None and len(changes(app).shown) == 10

    asyncio.run(scenario())


def test_detail_shows_the_current_release_claim_mismatches(
    make_app: Callable[..., FttrackApp],
) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_project("charset-normalizer")
            await settle(pilot)
            claims = app.screen.query_one("#detail-claims", Static)
            assert claims.display
            text = str(claims.render())
            assert text.startswith("3.5.4 on 3.14t, 3.15t: no classifier (classifier-missing)")
            assert "3.5.3" not in text  # an older release's mismatch is not the current one's
            await pilot.press("escape")
            app.open_project("cryptography")
            await settle(pilot)
            assert not app.screen.query_one("#detail-claims", Static).display

    asyncio.run(scenario())


def test_changes_snapshot(snap_compare: Any, make_app: Callable[..., FttrackApp]) -> None:
    """The screen at 120×36, the cursor on the second change (update: --snapshot-update)."""
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_then("c", "down"))
