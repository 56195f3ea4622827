"""The TUI screenshots of docs/tui.md, drawn from the shipped snapshot.

Each is the app run headless by Textual's Pilot at a fixed size (100 × 30, the
``COLUMNS`` of the console examples), on the shipped snapshot, judged for
``manylinux_x86_64`` (not this machine's platform), and exported as SVG by
Textual (``App.export_screenshot``). ``scripts/regenerate-doc-examples`` writes
them; ``tests/test_readme.py`` checks that each file is what is drawn now.

A screenshot shows nothing of the machine that draws it: the app runs from a
fixed folder of the repository (so a lockfile is named as a user in that folder
would name it: ``uv.lock``), offline (an audit never asks the index), without
``NO_COLOR``; every time on the screens is the data's own (a probe's date, the
snapshot's), never the clock's. So drawing one twice writes the same bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testkit.doc_examples import ROOT

__all__ = ["DETAIL_PROJECT", "SCREENSHOTS", "SIZE", "Screenshot", "draw", "svg_lines"]

#: Columns × lines of every screenshot.
SIZE = (100, 30)
#: The platform the screenshots judge, whatever machine draws them.
PLATFORM = "manylinux_x86_64"
#: The project the detail screenshot shows: well known, with wheels for every target.
DETAIL_PROJECT = "numpy"
#: The real lockfile the audit screenshot audits (a ``uv.lock`` of SQLAlchemy's
#: dependencies: blockers of every kind, a GIL culprit, unproven rows), from its folder.
AUDIT_LOCKFILE = ROOT / "tests" / "assets" / "lockfiles" / "real" / "sqlalchemy" / "uv.lock"
#: How long a screenshot waits for its screen to fill (a loaded machine is slow).
TIMEOUT = 120.0


async def _settle(pilot: Any) -> None:
    """Wait for the app's workers, then for the screen to draw what they posted."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def _until(pilot: Any, ready: Callable[[Any], bool], what: str) -> None:
    """Settle until ``ready(screen)`` holds (a pushed screen mounts, then starts its
    worker: one settle may come before it), then settle once more."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not ready(pilot.app.screen):
        if loop.time() > deadline:
            raise TimeoutError(f"the screenshot's screen never showed {what}")
        await _settle(pilot)
    await _settle(pilot)


async def _browse(pilot: Any) -> None:
    """The browse screen as it opens: every project, sorted by name."""
    await _settle(pilot)


async def _detail(pilot: Any) -> None:
    """The project screen of :data:`DETAIL_PROJECT`, as Enter on its row opens it: the
    cursor on its current release, on the target being judged."""
    from tui.screens.detail import DetailScreen

    await _settle(pilot)
    pilot.app.open_project(DETAIL_PROJECT)
    await _until(
        pilot,
        lambda screen: isinstance(screen, DetailScreen) and screen.document is not None,
        f"{DETAIL_PROJECT}'s releases",
    )


async def _audit(pilot: Any) -> None:
    """The audit screen of the app's lockfile, as ``fttrack tui uv.lock`` opens it."""
    from tui.screens.audit import AuditScreen

    await _until(
        pilot,
        lambda screen: isinstance(screen, AuditScreen) and screen.report is not None,
        "the audit's report",
    )


@dataclass(frozen=True)
class Screenshot:
    """One screenshot: its file, what is done after the app starts, the folder the app
    runs from and the lockfile it is given (as ``fttrack tui LOCKFILE``, relative to
    that folder)."""

    path: Path
    steps: Callable[[Any], Awaitable[None]]
    cwd: Path = ROOT
    lockfile: str | None = None


SCREENSHOTS = (
    Screenshot(ROOT / "docs" / "tui-browse.svg", _browse),
    Screenshot(ROOT / "docs" / "tui-detail.svg", _detail),
    Screenshot(
        ROOT / "docs" / "tui-audit.svg",
        _audit,
        cwd=AUDIT_LOCKFILE.parent,
        lockfile=AUDIT_LOCKFILE.name,
    ),
)


@contextlib.contextmanager
def _surroundings(cwd: Path) -> Iterator[None]:
    """Run from ``cwd``, offline and in colour; everything put back afterwards."""
    from tracker.audit.lookup import OFFLINE_VARIABLE

    saved = {name: os.environ.get(name) for name in (OFFLINE_VARIABLE, "NO_COLOR")}
    os.environ[OFFLINE_VARIABLE] = "1"
    os.environ.pop("NO_COLOR", None)
    try:
        with contextlib.chdir(cwd):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def draw(shot: Screenshot, snapshot: Path | None = None) -> str:
    """The SVG of ``shot`` on ``snapshot`` (default: the shipped one)."""
    from tracker.datafiles import snapshot_path
    from tracker.verdicts.snapshot import SnapshotSource
    from tui.app import FttrackApp

    source = (snapshot or snapshot_path()).resolve()

    async def run() -> str:
        app = FttrackApp(
            SnapshotSource(source),
            platform=PLATFORM,
            lockfile=Path(shot.lockfile) if shot.lockfile else None,
        )
        async with app.run_test(size=SIZE) as pilot:
            await shot.steps(pilot)
            return app.export_screenshot(title="fttrack")

    with _surroundings(shot.cwd):
        return asyncio.run(run())


_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)"[^>]*>([^<]*)</text>'
)


def svg_lines(svg: str) -> list[str]:
    """The terminal lines of a screenshot as plain text, each run of text at its column
    (the window's title left out), to read what a screenshot shows."""
    from rich.cells import cell_len

    rows: dict[float, list[tuple[float, str]]] = {}
    cell = 0.0
    for match in _TEXT.finditer(svg):
        text = html.unescape(match[4]).replace("\xa0", " ").rstrip("\n")
        if text:
            rows.setdefault(float(match[2]), []).append((float(match[1]), text))
            cell = cell or float(match[3]) / cell_len(text)
    lines = []
    for _, runs in sorted(rows.items()):
        line = ""
        for x, text in sorted(runs):
            line = line.ljust(round(x / cell)) + text
        lines.append(line.rstrip())
    return lines
