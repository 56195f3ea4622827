"""Benchmark the TUI's browse screen with a 5,000-project feed, driven by Pilot.

Measures, in one invocation and against a baseline (the same app on a one-project feed):

- **launch**: from entering ``App.run_test()`` to the first paint of the browse
  table with every row (the source is read and summarized in a worker);
- **keystroke**: one key typed into the search box until the table has been
  rebuilt and the screen refreshed (median and worst over a typed query and
  its deletion).

    python bench/tui_bench.py [--projects 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.verdicts.snapshot import SnapshotSource
from tui.app import FttrackApp
from tui.screens.browse import BrowseScreen

STATUSES = ["ready", "gil-reenabled", "wheel-only", "pure", "no-ft-wheel", "sdist-only"]
TARGETS = ["3.13t", "3.14t", "3.15t"]
SYLLABLES = ["py", "num", "lib", "zen", "ark", "tor", "jax", "fast", "io", "ml", "db", "web"]
SIZE = (120, 40)
QUERY = "numpy"
TIMEOUT = 120.0


def _verdict(rng: random.Random) -> dict[str, Any]:
    status = rng.choice(STATUSES)
    culprits = [{"module": "pkg._ext", "owner": "pkg"}] if status == "gil-reenabled" else []
    return {
        "status": status,
        "evidence": "probe" if status in ("ready", "gil-reenabled") else "tags",
        "platforms": ["manylinux_x86_64", "macosx_arm64"] if status != "pure" else ["any"],
        "culprits": culprits,
        "probed_at": None,
        "probe": None,
    }


def synthetic_feed(count: int, seed: int = 7) -> dict[str, Any]:
    """A feed document with ``count`` projects, three releases each."""
    rng = random.Random(seed)
    projects: list[dict[str, Any]] = []
    for i in range(count):
        name = "-".join(rng.choice(SYLLABLES) for _ in range(2)) + f"-{i}"
        releases = [
            {
                "version": f"{major}.{rng.randrange(10)}.0",
                "yanked": False,
                "uploaded": "2026-11-01T00:00:00Z",
                "targets": {t: _verdict(rng) for t in TARGETS},
            }
            for major in (3, 2, 1)
        ]
        projects.append(
            {
                "name": name,
                "display_name": name,
                "classifier": None,
                "watch_reason": rng.choice(["seed", "audit", None]),
                "releases": releases,
                "first_ready": {},
            }
        )
    return {
        "schema": 1,
        "generated": "2026-11-25T00:00:00Z",
        "targets": TARGETS,
        "projects": projects,
    }


def write_feed(directory: Path, count: int) -> Path:
    """Write a gzip feed of ``count`` projects; return its path."""
    path = directory / f"feed-{count}.json.gz"
    path.write_bytes(gzip.compress(json.dumps(synthetic_feed(count)).encode(), 6))
    return path


async def measure(feed: Path, expected: int) -> tuple[float, list[float]]:
    """(seconds to the first painted full table, seconds per search keystroke)."""
    app = FttrackApp(SnapshotSource(feed), target="3.14t", platform="manylinux_x86_64")
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        while True:
            if time.perf_counter() - started > TIMEOUT:
                raise SystemExit(f"{feed}: the table did not fill in {TIMEOUT:.0f} s")
            screen = app.screen
            if (
                isinstance(screen, BrowseScreen)
                and screen.source_text
                and screen.table.row_count == expected
            ):
                break
            await asyncio.sleep(0.002)
        await pilot.pause()
        launch = time.perf_counter() - started
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        await pilot.press("slash")
        keystrokes = []
        for key in [*QUERY, *["backspace"] * len(QUERY)]:
            before = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            keystrokes.append(time.perf_counter() - before)
        assert screen.table.row_count == expected, "the search was not cleared"
    return launch, keystrokes


def _report(label: str, launches: list[float], keys: list[float]) -> str:
    return (
        f"{label:<28} launch→table best {min(launches) * 1000:7.1f} ms "
        f"(median {statistics.median(launches) * 1000:7.1f})   "
        f"keystroke median {statistics.median(keys) * 1000:6.1f} ms, worst {max(keys) * 1000:6.1f} ms"
    )


def main() -> None:
    """Run the benchmark and print one line per case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("baseline: 1 project", write_feed(Path(tmp), 1), 1)]
        cases.append(
            (f"{args.projects} projects", write_feed(Path(tmp), args.projects), args.projects)
        )
        for label, feed, expected in cases:
            launches: list[float] = []
            keys: list[float] = []
            for _ in range(args.runs):
                launch, strokes = asyncio.run(measure(feed, expected))
                launches.append(launch)
                keys += strokes
            print(_report(label, launches, keys), flush=True)


if __name__ == "__main__":
    main()
