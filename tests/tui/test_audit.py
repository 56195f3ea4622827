"""Pilot tests of the audit screen: blockers first, drill-down, export, bad input, picker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from textual.notifications import Notify
from textual.widgets import Input

from tests.tui.conftest import SIZE, Recorder
from tests.tui.helpers import screen_lines, settle
from tracker.audit.report import parse_origin, report_to_json
from tracker.cli import cli as main_cli
from tracker.documents import current_release
from tui.app import FttrackApp
from tui.messages import AuditFinished, ReportExported
from tui.screens.audit import AuditScreen
from tui.screens.browse import BrowseScreen
from tui.screens.detail import DetailScreen
from tui.screens.export import ExportScreen
from tui.screens.picker import PickerScreen


def test_lockfile_argument_lists_blockers_first(
    make_app: Callable[..., FttrackApp], recorder: Recorder
) -> None:
    async def scenario() -> None:
        app = make_app(lockfile=Path("requirements.txt"))
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, AuditScreen)
            report = recorder.of(AuditFinished)[0].report
            names = [e.name for e in screen.entries]
            blockers = {"charset-normalizer", "cryptography", "pyzmq", "lxml", "uwsgi"}
            assert set(names[:5]) == blockers and names[-1] == "numpy"
            assert screen.table.row_count == 12
            # the same answer as fttrack audit gives (both run tracker.audit.run.run_audit)
            cli = CliRunner().invoke(
                main_cli,
                [
                    "audit",
                    "requirements.txt",
                    "--snapshot",
                    "feed.json",
                    "--target",
                    "3.14t",
                    "--platform",
                    "manylinux_x86_64",
                    "--format",
                    "json",
                ],
            )
            assert cli.exit_code == 1, cli.output  # blockers found
            assert report_to_json(report) == json.loads(cli.stdout)
            first = screen.table.get_row_at(0)
            assert str(first[0]) == "✗" and str(first[5]) == "3.5.4"  # upgrade hint

    asyncio.run(scenario())


def test_enter_drills_into_a_dependency_and_escape_returns(
    make_app: Callable[..., FttrackApp],
) -> None:
    async def scenario() -> None:
        app = make_app(lockfile=Path("requirements.txt"))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("down", "enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.project_name == "cryptography"
            await pilot.press("escape")
            assert isinstance(app.screen, AuditScreen)
            await pilot.press("escape")
            assert isinstance(app.screen, BrowseScreen)

    asyncio.run(scenario())


def test_export_writes_the_auditors_json(
    make_app: Callable[..., FttrackApp], recorder: Recorder, tmp_path: Path
) -> None:
    target = tmp_path / "report.json"

    async def scenario() -> None:
        app = make_app(lockfile=Path("requirements.txt"))
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            await pilot.press("e")
            assert isinstance(app.screen, ExportScreen)
            field = app.screen.query_one("#export-path", Input)
            assert field.value.endswith("fttrack-audit.json")
            field.value = str(target)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, AuditScreen)
            assert [m.path for m in recorder.of(ReportExported)] == [target]

    asyncio.run(scenario())
    report = recorder.of(AuditFinished)[0].report
    assert json.loads(target.read_text()) == report_to_json(report)


def test_export_to_an_unwritable_place_is_a_notice(
    make_app: Callable[..., FttrackApp], recorder: Recorder, tmp_path: Path
) -> None:
    async def scenario() -> None:
        app = make_app(lockfile=Path("requirements.txt"))
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            await pilot.press("e")
            app.screen.query_one("#export-path", Input).value = str(tmp_path / "no" / "r.md")
            await pilot.press("enter")
            await settle(pilot)
            errors = [m.notification for m in recorder.of(Notify)]
            assert [n.severity for n in errors] == ["error"]
            assert isinstance(app.screen, AuditScreen) and app.is_running

    asyncio.run(scenario())


def test_bad_lockfile_is_a_notice_not_a_crash(
    make_app: Callable[..., FttrackApp], recorder: Recorder, tmp_path: Path
) -> None:
    bad = tmp_path / "uv.lock"
    bad.write_text("[[package]\nname = ")

    async def scenario() -> None:
        app = make_app(lockfile=bad)
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            notices = [m.notification for m in recorder.of(Notify)]
            assert len(notices) == 1 and notices[0].severity == "error"
            assert str(bad) in notices[0].message and "invalid TOML" in notices[0].message
            assert isinstance(app.screen, AuditScreen) and not app.screen.table.loading
            await pilot.press("escape")
            assert isinstance(app.screen, BrowseScreen)

    asyncio.run(scenario())


def test_missing_lockfile_is_a_notice(
    make_app: Callable[..., FttrackApp], recorder: Recorder
) -> None:
    async def scenario() -> None:
        app = make_app(lockfile=Path("nowhere.txt"))
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            notices = [m.notification for m in recorder.of(Notify)]
            assert [n.severity for n in notices] == ["error"]
            assert "nowhere.txt: no such file" in notices[0].message

    asyncio.run(scenario())


def test_a_opens_the_picker_and_a_typed_path_is_audited(
    make_app: Callable[..., FttrackApp], recorder: Recorder
) -> None:
    async def scenario() -> None:
        app = make_app()
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            app.screen.query_one("#picker-path", Input).value = "requirements.txt"
            app.screen.query_one("#picker-path", Input).focus()
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, AuditScreen)
            assert len(recorder.of(AuditFinished)) == 1

    asyncio.run(scenario())


def test_t_audits_again_for_the_next_target(
    make_app: Callable[..., FttrackApp], recorder: Recorder
) -> None:
    async def scenario() -> None:
        app = make_app(lockfile=Path("requirements.txt"))
        async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
            await settle(pilot)
            await pilot.press("t")
            await settle(pilot)
            reports = [m.report for m in recorder.of(AuditFinished)]
            assert [r.target for r in reports] == ["3.14t", "3.15t"]

    asyncio.run(scenario())


def test_enter_opens_the_pinned_release_not_the_current_one(
    make_app: Callable[..., FttrackApp],
) -> None:
    """cryptography is pinned to 44.0.0 while its current release is newer: Enter on it
    lands the detail grid's cursor on 44.0.0."""

    async def scenario() -> None:
        app = make_app(lockfile=Path("requirements.txt"))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, AuditScreen)
            row = next(i for i, e in enumerate(screen.entries) if e.name == "cryptography")
            assert screen.entries[row].version == "44.0.0"
            screen.table.move_cursor(row=row, animate=False)
            await pilot.press("enter")
            await settle(pilot)
            detail = app.screen
            assert isinstance(detail, DetailScreen)
            selected = detail.release_list[detail.grid.cursor_row]
            assert selected.version == "44.0.0"
            current = current_release(detail.release_list)
            assert current is not None and current.version != "44.0.0"
            assert detail.cursor_target() == "3.14t"

    asyncio.run(scenario())


def test_origin_keeps_its_line_number_at_120_columns(
    make_app: Callable[..., FttrackApp],
) -> None:
    """The origin column is shortened to the room left, the file part cut, never ``:LINE``."""

    async def scenario() -> None:
        app = make_app(lockfile=Path("requirements.txt"))
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, AuditScreen)
            lines = screen_lines(pilot)
            checked = 0
            for entry in screen.entries:
                _, line_no = parse_origin(entry.origin)
                assert line_no is not None
                drawn = next(line for line in lines if f" {entry.name} " in line)
                assert drawn.rstrip().endswith(f":{line_no}"), drawn
                assert len(drawn.rstrip()) <= 120
                checked += 1
            assert checked == len(screen.entries) == 12

    asyncio.run(scenario())
