"""Helpers for Pilot tests."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.pilot import Pilot


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for every worker, then for the screen to process what they posted."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def screen_lines(pilot: Pilot[Any]) -> list[str]:
    """The terminal as plain text, one string per line (what a user sees, unstyled)."""
    app = pilot.app
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text().splitlines()
