"""The detail screen's panel shows the release's own stress result (its tests in threads),
and behind ``t`` the tests that failed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Static

from tests.tui.conftest import ASSETS, SIZE
from tests.tui.helpers import settle
from tracker.verdicts.snapshot import SnapshotSource
from tui.app import FttrackApp


def _stressed_feed(tmp_path: Path) -> Path:
    """The fixture feed with a races result on cryptography 46.0.1 on 3.14t."""
    feed = json.loads((ASSETS / "feed.json").read_text())
    project = next(p for p in feed["projects"] if p["name"] == "cryptography")
    release = next(r for r in project["releases"] if r["version"] == "46.0.1")
    release["targets"]["3.14t"]["stress"] = {
        "status": "races",
        "stressed_at": "2026-12-06T10:00:00Z",
        "tests_run": 40,
        "tests_failed": 2,
        "failing": {
            "tests/test_x509.py::test_load": "race",
            "tests/test_fernet.py::test_rt": "race",
        },
    }
    path = tmp_path / "stressed.json"
    path.write_text(json.dumps(feed))
    return path


def test_panel_shows_the_stress_result_and_t_the_failing_tests(
    make_app: Callable[..., FttrackApp], tmp_path: Path
) -> None:
    async def scenario() -> None:
        app = make_app(source=SnapshotSource(str(_stressed_feed(tmp_path))))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_project("cryptography")
            await settle(pilot)

            def panel() -> str:
                return str(app.screen.query_one("#verdict", Static).render())

            text = panel()
            assert "cryptography 46.0.1 on 3.14t: ready" in text  # the import verdict stays
            assert (
                "threads: races · races in its own tests: 2 of 40 fail in 8 threads without "
                "the GIL · 2026-12-06" in text
            )
            assert "tests/test_x509.py::test_load" not in text
            await pilot.press("t")
            text = panel()
            assert "failing in threads (2):" in text and "tests/test_x509.py::test_load" in text
            await pilot.press("down")  # 44.0.0: no stress result of its own
            assert "threads:" not in panel()

    asyncio.run(scenario())
