"""Benchmark the TUI's browse screen on real snapshots, driven by Pilot (headless).

Measures, in one invocation, each as the median of ``--runs`` runs:

- **start → rows**: from building the app (and its snapshot source) to the
  first frame painted with the projects table filled (the summaries are read
  and the rows built in a worker);
- **keystroke → repaint**: one key typed into the search box until the next
  frame painted after the table's rows were swapped (a typed query, then its
  deletion).

Both are printed beside a baseline measured the same way in the same command:
Textual painting an app with one Static (start) and echoing a key in an Input
(keystroke), so the ratios mean something on a loaded machine too.

    python bench/tui_bench.py [--runs 5] [--snapshot PATH ...]

Without ``--snapshot``: the shipped ``data/snapshot.json.gz`` and, when it
exists, ``/tmp/fttrack-bench/snapshot-15000.json.gz`` (made by
``bench/generate_snapshot.py --projects 15000``).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from tracker.datafiles import snapshot_path
from tracker.verdicts.snapshot import SnapshotSource
from tui.app import FttrackApp
from tui.screens.browse import BrowseScreen

SIZE = (120, 40)
QUERY = "numpy"
TIMEOUT = 60.0
GENERATED = Path("/tmp/fttrack-bench/snapshot-15000.json.gz")


class _Frames:
    """Times of the frames an app paints (``App._display`` is called once per frame)."""

    def __init__(self, app: App[Any]) -> None:
        self.times: list[float] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                self.times.append(time.perf_counter())
            original(screen, renderable)

        app._display = display  # type: ignore[method-assign]

    def after(self, moment: float) -> float | None:
        """The first frame painted after ``moment``."""
        return next((t for t in self.times if t > moment), None)


async def _wait(condition: Callable[[], bool], what: str) -> None:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > TIMEOUT:
            raise SystemExit(f"{what}: not within {TIMEOUT:.0f} s")
        await asyncio.sleep(0.001)


async def _frame_after(frames: _Frames, moment: Callable[[], float | None], what: str) -> float:
    """The time of the first frame painted after ``moment()`` (waiting for both)."""

    def ready() -> bool:
        when = moment()
        return when is not None and frames.after(when) is not None

    await _wait(ready, what)
    when = moment()
    assert when is not None
    frame = frames.after(when)
    assert frame is not None
    return frame


class _Baseline(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello")
        yield Input(id="field")


async def baseline() -> tuple[float, list[float]]:
    """Textual alone: start → first frame, and keystroke → frame in an Input."""
    started = time.perf_counter()
    app = _Baseline()
    frames = _Frames(app)
    async with app.run_test(size=SIZE) as pilot:
        await _wait(lambda: bool(frames.times), "baseline")
        start = frames.times[0] - started
        app.query_one("#field", Input).focus()
        await pilot.pause()
        strokes = []
        for key in QUERY:
            sent: float = time.perf_counter()
            await pilot.press(key)
            strokes.append(await _frame_after(frames, functools.partial(float, sent), key) - sent)
    return start, strokes


async def measure(snapshot: Path) -> tuple[float, list[float], int]:
    """(start → rows painted, [keystroke → repaint], projects) on ``snapshot``."""
    started = time.perf_counter()
    app = FttrackApp(SnapshotSource(snapshot), target="3.14t", platform="manylinux_x86_64")
    frames = _Frames(app)
    filled: list[float] = []
    swaps: list[float] = []
    original = BrowseScreen.refresh_rows

    def refresh_rows(screen: BrowseScreen) -> None:
        original(screen)
        (swaps if filled else filled).append(time.perf_counter())

    BrowseScreen.refresh_rows = refresh_rows  # type: ignore[method-assign,assignment]
    try:
        async with app.run_test(size=SIZE) as pilot:
            start = await _frame_after(frames, lambda: filled[0] if filled else None, "rows")
            start -= started
            screen = app.screen
            assert isinstance(screen, BrowseScreen)
            total = screen.table.row_count
            await app.workers.wait_for_complete()
            await pilot.press("slash")
            await pilot.pause()
            strokes = []
            for key in [*QUERY, *["backspace"] * len(QUERY)]:
                sent = time.perf_counter()
                swaps.clear()
                await pilot.press(key)
                swapped = await _frame_after(frames, lambda: swaps[0] if swaps else None, key)
                strokes.append(swapped - sent)
            assert screen.table.row_count == total, "the search was not cleared"
    finally:
        BrowseScreen.refresh_rows = original  # type: ignore[method-assign]
    return start, strokes, total


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms"


def main() -> None:
    """Run the benchmark and print one line per case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--snapshot", type=Path, action="append")
    args = parser.parse_args()
    snapshots = args.snapshot or [snapshot_path(), *([GENERATED] if GENERATED.exists() else [])]
    base_starts: list[float] = []
    base_keys: list[float] = []
    for _ in range(args.runs):
        start, keys = asyncio.run(baseline())
        base_starts.append(start)
        base_keys += keys
    base_start, base_key = statistics.median(base_starts), statistics.median(base_keys)
    print(
        f"{'baseline (Textual alone)':<34} start→paint {_ms(base_starts)}"
        f"            keystroke→paint {_ms(base_keys)}",
        flush=True,
    )
    for snapshot in snapshots:
        starts: list[float] = []
        strokes: list[float] = []
        projects = 0
        for _ in range(args.runs):
            start, typed, projects = asyncio.run(measure(snapshot))
            starts.append(start)
            strokes += typed
        print(
            f"{snapshot.name + f' ({projects} projects)':<34} start→rows  {_ms(starts)}"
            f" (×{statistics.median(starts) / base_start:4.1f})"
            f"   keystroke→repaint {_ms(strokes)} (×{statistics.median(strokes) / base_key:4.1f},"
            f" worst {max(strokes) * 1000:.1f} ms)",
            flush=True,
        )


if __name__ == "__main__":
    main()
