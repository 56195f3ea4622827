"""The changes feed on the shipped snapshot: the API's routes over a seeded database, and
the snapshot's changes index, cold and warm, against the summary feed as a baseline.

    .venv/bin/python bench/changes_bench.py [--db /tmp/changes-bench.db] [--rounds 30]

The database is seeded from data/snapshot.json.gz when the file does not exist yet (a
few minutes, once; pass the same --db again to reuse it). Each route is asked once
right after the app starts (cold: the changes are read from the database) and then
``--rounds`` times (warm: the median); times are in-process (httpx over ASGI), so they
are the service's own time, without a socket.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from tracker.api import create_app
from tracker.archive import Archive
from tracker.changes_index import ChangeIndex
from tracker.datafiles import snapshot_path
from tracker.store import open_store

ROUTES = [
    ("feed.json (baseline)", "/api/v1/feed.json"),
    ("changes, first page", "/api/v1/changes"),
    ("changes, 3.14t regressed", "/api/v1/changes?target=3.14t&kind=regressed"),
    ("changes, one project", "/api/v1/changes?project=numpy"),
    ("changes, page 10", "/api/v1/changes?offset=900&limit=100"),
    ("changes.atom, 30 days", "/changes.atom"),
    ("changes.atom, since 2020", "/changes.atom?since=2020-01-01"),
]


async def _time(client: httpx.AsyncClient, path: str) -> float:
    start = time.perf_counter()
    answer = await client.get(path)
    elapsed = time.perf_counter() - start
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
    return elapsed


async def _routes(db: Path, rounds: int) -> None:
    store = open_store(f"sqlite:///{db}", seed=False)
    app = create_app(store, recheck_seconds=1.0)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        cold = {path: await _time(client, path) for _label, path in ROUTES}
        warm = {}
        for _label, path in ROUTES:
            warm[path] = statistics.median([await _time(client, path) for _ in range(rounds)])
        total = (await client.get("/api/v1/changes?limit=1")).json()["total"]
    base_cold, base_warm = cold[ROUTES[0][1]], warm[ROUTES[0][1]]
    print(f"{total} changes in the store")
    print(f"{'route':30} {'cold ms':>9} {'warm ms':>9} {'warm / feed':>12}")
    for label, path in ROUTES:
        print(
            f"{label:30} {cold[path] * 1000:9.1f} {warm[path] * 1000:9.2f} "
            f"{warm[path] / base_warm:12.2f}"
        )
    print(f"(feed.json cold {base_cold * 1000:.1f} ms)")
    store.close()


def _snapshot() -> None:
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        index = ChangeIndex.from_archive(Archive(snapshot_path()), Path(cache))
        cold = time.perf_counter() - start
        start = time.perf_counter()
        ChangeIndex.from_archive(Archive(snapshot_path()), Path(cache))
        warm = time.perf_counter() - start
        start = time.perf_counter()
        Archive(snapshot_path()).summaries()
        baseline = time.perf_counter() - start
    print(
        f"snapshot changes index: computed {cold:.2f} s (cold), read from the cache "
        f"{warm * 1000:.0f} ms (warm); the summaries alone {baseline * 1000:.0f} ms"
    )
    print("changes per kind:", index.counts())
    print("claim flags on current releases:", index.claim_counts())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/changes-bench.db"))
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--only", choices=("snapshot", "routes"))
    args = parser.parse_args()
    if args.only != "routes":
        _snapshot()
    if args.only != "snapshot":
        if not args.db.exists():
            start = time.perf_counter()
            open_store(f"sqlite:///{args.db}", seed=True).close()
            print(f"seeded {args.db} in {time.perf_counter() - start:.0f} s")
        asyncio.run(_routes(args.db, args.rounds))


if __name__ == "__main__":
    main()
