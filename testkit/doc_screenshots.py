"""The TUI screenshots of docs/tui.md, drawn from the shipped snapshot.

Each is the app run headless by Textual's Pilot at a fixed size (100 × 30, the
``COLUMNS`` of the console examples), on the shipped snapshot, judged for
``manylinux_x86_64`` (not this machine's platform), and exported as SVG by
Textual (``App.export_screenshot``). ``scripts/regenerate-doc-examples`` writes
them; ``tests/test_readme.py`` checks that each file is what is drawn now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testkit.doc_examples import ROOT

__all__ = ["SCREENSHOTS", "SIZE", "Screenshot", "draw"]

#: Columns × lines of every screenshot.
SIZE = (100, 30)
#: The platform the screenshots judge, whatever machine draws them.
PLATFORM = "manylinux_x86_64"


async def _settle(pilot: Any) -> None:
    """Wait for the app's workers, then for the screen to draw what they posted."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def _browse(pilot: Any) -> None:
    """The browse screen as it opens: every project, sorted by name."""
    await _settle(pilot)


@dataclass(frozen=True)
class Screenshot:
    """One screenshot: its file and what is done after the app starts."""

    path: Path
    steps: Callable[[Any], Awaitable[None]]


SCREENSHOTS = (Screenshot(ROOT / "docs" / "tui-browse.svg", _browse),)


def draw(shot: Screenshot, snapshot: Path | None = None) -> str:
    """The SVG of ``shot`` on ``snapshot`` (default: the shipped one)."""
    from tracker.datafiles import snapshot_path
    from tracker.verdicts.snapshot import SnapshotSource
    from tui.app import FttrackApp

    async def run() -> str:
        app = FttrackApp(SnapshotSource(snapshot or snapshot_path()), platform=PLATFORM)
        async with app.run_test(size=SIZE) as pilot:
            await shot.steps(pilot)
            return app.export_screenshot(title="fttrack")

    return asyncio.run(run())
