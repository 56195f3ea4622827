"""The changes feed on the shipped snapshot: its routes through HTTP on a database seeded
from the snapshot, and the snapshot's changes index, against baselines of the same run.

    .venv/bin/python bench/changes_bench.py [--db /tmp/fttrack-bench/changes.db] [--rounds 300]
        [--only snapshot|routes] [--first healthz|readyz]

**Seeding (the cold path).** The database at ``--db`` is seeded from the snapshot
(``open_store(seed=True)``, one transaction, in this process) when it holds no project
yet, and kept: the next run with the same ``--db`` reuses it. The seeding time is
written beside it (``PATH.seeded.json``) and printed by every run that reuses it.

**Routes.** A real ``fttrack serve --db sqlite:///PATH --no-crawl --probe-workers 0``
on 127.0.0.1 (as ``bench/service_bench.py`` starts it). Each route is asked once
(cold: the first request of its kind since the server started), ``--first healthz``
(the default) as soon as the server answers ``/healthz`` (while it may still be
warming its caches: a request then waits for that read), ``--first readyz`` once
``/readyz`` answers 200 (seeded and warm: when a load balancer would send traffic);
the cold time is also given as a
ratio to the p50 of ``/healthz`` in the rounds that follow. Then ``--rounds`` rounds,
each asking every route once in turn on one kept-alive connection: p50 and p99 per
route, each also as a ratio to the baselines of the same rounds, ``/healthz`` (a
static answer) and one badge.
Routes whose URL is the same every round are answered from the memoised body (what a
feed reader polling the feed gets); the ``new ...`` routes change their query every
round (a new page, a new ``since`` second), so each is built from the index.
Goals: ``GET /api/v1/changes`` within 50 ms, the Atom feed of the last 30 days
within 100 ms.

**Snapshot.** ``ChangeIndex.from_archive`` on the shipped snapshot with no cache
directory: the changes it carries (its changes member), against computing them from
every history (what a snapshot written without them costs), against reading the
summaries alone.

The machine's load (1-minute load average, sampled each second) is printed with the
figures: on a shared machine the absolute times move, the ratios much less.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from service_bench import Server, start_server  # noqa: E402

from tracker.archive import Archive  # noqa: E402
from tracker.changes_index import ChangeIndex  # noqa: E402
from tracker.datafiles import snapshot_path  # noqa: E402
from tracker.documents import project_changes  # noqa: E402
from tracker.store import open_store  # noqa: E402

GOALS_MS = {"changes, first page": 50.0, "changes.atom, last 30 days": 100.0}


class LoadWatch:
    """The 1-minute load average, sampled every second in a thread while it runs."""

    def __init__(self) -> None:
        self.samples: list[float] = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> str:
        """Stop sampling; a line saying the load seen."""
        self._stop.set()
        self._thread.join()
        low, high = min(self.samples), max(self.samples)
        return (
            f"load average (1 min) {low:.1f} to {high:.1f}, median "
            f"{statistics.median(self.samples):.1f}, on {os.cpu_count()} cores"
        )


# -- seeding -------------------------------------------------------------------------------


def seeded_database(db: Path, snapshot: Path) -> str:
    """Seed ``db`` from ``snapshot`` unless it holds projects already; a line saying how
    long the seed took (now, or when it was made: ``PATH.seeded.json``)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    record = db.with_name(db.name + ".seeded.json")
    url = f"sqlite:///{db}"
    probe = open_store(url, seed=False)
    try:
        projects = probe.project_count()
    finally:
        probe.close()
    if projects:
        if not record.is_file():
            return f"database {db}: reused ({projects} projects), seeded elsewhere (time unknown)"
        made = json.loads(record.read_text())
        return (
            f"database {db}: reused ({projects} projects), seeded from {made['snapshot']} "
            f"in {made['seconds']:.0f} s on {made['at']} ({made['load']})"
        )
    watch = LoadWatch()
    began = time.perf_counter()
    store = open_store(url, seed=True, snapshot=snapshot)
    seconds = time.perf_counter() - began
    projects = store.project_count()
    store.close()
    load = watch.stop()
    at = datetime.now(UTC).isoformat(timespec="seconds")
    record.write_text(
        json.dumps({"seconds": seconds, "snapshot": str(snapshot), "at": at, "load": load})
    )
    return f"database {db}: seeded now ({projects} projects) in {seconds:.0f} s ({load})"


# -- routes --------------------------------------------------------------------------------


def _routes(since_30d: str) -> list[tuple[str, Callable[[int], str]]]:
    """(label, path of round ``n``) of each route asked, the baselines first."""
    return [
        ("/healthz (baseline)", lambda n: "/healthz"),
        ("badge (baseline)", lambda n: "/badges/numpy.svg?target=3.14t"),
        ("changes, first page", lambda n: "/api/v1/changes"),
        ("changes, 3.14t regressed", lambda n: "/api/v1/changes?target=3.14t&kind=regressed"),
        ("changes, one project", lambda n: "/api/v1/changes?project=numpy"),
        ("changes, page 10", lambda n: "/api/v1/changes?offset=900&limit=100"),
        ("changes.atom, last 30 days", lambda n: f"/changes.atom?since={since_30d}"),
        ("changes.atom, default (30 days)", lambda n: "/changes.atom"),
        ("changes.atom, since 2020", lambda n: "/changes.atom?since=2020-01-01"),
        ("new page each request", lambda n: f"/api/v1/changes?offset={n * 7}&limit=100"),
        (
            "new 30-day atom each request",
            lambda n: f"/changes.atom?since={since_30d}T00:{n // 60 % 60:02d}:{n % 60:02d}Z",
        ),
    ]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


#: What the server logs once its caches are warm (tracker/api/warm.py).
WARMED = "warmed in"


def _wait_ready(server: Server, seconds: float = 300.0) -> None:
    """Wait until ``server`` answers ``/readyz`` with 200 (seeded, caches warm)."""
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=server.base, timeout=10) as client:
        while client.get("/readyz").status_code != 200:
            if time.monotonic() > deadline or server.process.poll() is not None:
                server.stop()
                raise SystemExit("/readyz never answered 200:\n" + "\n".join(server.log[-20:]))
            time.sleep(0.01)


def measure_routes(db: Path, snapshot: Path, rounds: int, first: str = "healthz") -> None:
    """Start a server on ``db``; print cold and warm times of every route. ``first``:
    when the cold requests go, ``healthz`` (as soon as it answers) or ``readyz`` (once
    ``/readyz`` answers 200)."""
    since_30d = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    routes = _routes(since_30d)
    env = {**os.environ, "FTTRACK_SNAPSHOT": str(snapshot)}
    env.pop("FTTRACK_API_TOKEN", None)
    server = start_server(f"sqlite:///{db}", env, ["/healthz"])
    if first == "readyz":
        _wait_ready(server)
    sent = time.monotonic() - server.started
    warm_before = [line for line in server.log if WARMED in line]
    watch = LoadWatch()
    try:
        with httpx.Client(base_url=server.base, timeout=120) as client:

            def timed(path: str) -> tuple[float, httpx.Response]:
                began = time.perf_counter()
                answer = client.get(path)
                took = time.perf_counter() - began
                assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
                return took, answer

            cold: dict[str, float] = {}
            for label, path in routes:
                cold[label], _answer = timed(path(10_000))
            total = timed("/api/v1/changes?limit=1")[1].json()["total"]
            entries = timed(f"/changes.atom?since={since_30d}")[1].text.count("<entry>")
            times: dict[str, list[float]] = {label: [] for label, _path in routes}
            for number in range(rounds):
                for label, path in routes:
                    times[label].append(timed(path(number))[0])
    finally:
        server.stop()
        load = watch.stop()
    print(f"{total} changes in the store; {entries} Atom entries since {since_30d}")
    warmed = [line for line in server.log if WARMED in line]
    said = warmed[0][warmed[0].index(WARMED) :] if warmed else "no warm-up logged"
    print(
        f"cold requests sent {sent:.2f} s after start (--first {first}), "
        f"{'after' if warm_before else 'before'} the server's warm-up ended ({said})"
    )
    base50 = statistics.median(times[routes[0][0]])
    base99 = _percentile(times[routes[0][0]], 0.99)
    badge50 = statistics.median(times[routes[1][0]])
    print(
        f"{'route':32} {'cold ms':>8} {'cold/h50':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'p50/healthz':>11} {'p99/healthz':>11} {'p50/badge':>9}  goal"
    )
    for label, _path in routes:
        p50, p99 = statistics.median(times[label]), _percentile(times[label], 0.99)
        goal = GOALS_MS.get(label)
        verdict = (
            ""
            if goal is None
            else f"≤ {goal:.0f} ms: {'met' if p99 * 1000 <= goal else 'missed'}"
            f" (p99), cold {'met' if cold[label] * 1000 <= goal else 'missed'}"
        )
        print(
            f"{label:32} {cold[label] * 1000:8.1f} {cold[label] / base50:8.1f} "
            f"{p50 * 1000:8.2f} {p99 * 1000:8.2f} "
            f"{p50 / base50:11.2f} {p99 / base99:11.2f} {p50 / badge50:9.2f}  {verdict}"
        )
    print(f"({rounds} rounds, every route once a round, one kept-alive connection; {load})")


# -- the snapshot --------------------------------------------------------------------------


def measure_snapshot(snapshot: Path) -> None:
    """Print the snapshot's changes index: stored, computed, and the summaries alone."""
    watch = LoadWatch()
    began = time.perf_counter()
    archive = Archive(snapshot)
    stored = archive.changes()
    index = ChangeIndex.from_archive(archive)  # no cache directory: stored or computed
    loaded = time.perf_counter() - began
    began = time.perf_counter()
    computed = [project_changes(d) for d in Archive(snapshot).documents()]
    computing = time.perf_counter() - began
    began = time.perf_counter()
    Archive(snapshot).summaries()
    baseline = time.perf_counter() - began
    load = watch.stop()
    same = "none stored" if stored is None else str(stored == computed)
    print(
        f"snapshot changes index: {loaded * 1000:.0f} ms from "
        f"{'its changes member' if stored is not None else 'computing (no changes member)'}; "
        f"computing them from every history {computing:.1f} s; the summaries alone "
        f"{baseline * 1000:.0f} ms (index ÷ summaries {loaded / baseline:.1f}); "
        f"stored equal computed: {same} ({load})"
    )
    print(f"size: {snapshot.stat().st_size:,} bytes")
    print("changes per kind:", index.counts())
    print("claim flags on current releases:", index.claim_counts())


def main() -> None:
    """Seed or reuse the database, then measure."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/fttrack-bench/changes.db"))
    parser.add_argument("--snapshot", type=Path, default=snapshot_path())
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--only", choices=("snapshot", "routes"))
    parser.add_argument(
        "--first",
        choices=("healthz", "readyz"),
        default="healthz",
        help="ask the cold requests as soon as /healthz answers, or once /readyz answers "
        "200 (seeded and warm)",
    )
    args = parser.parse_args()
    if args.only != "routes":
        measure_snapshot(args.snapshot)
    if args.only != "snapshot":
        print(seeded_database(args.db.resolve(), args.snapshot), flush=True)
        measure_routes(args.db.resolve(), args.snapshot, args.rounds, args.first)


if __name__ == "__main__":
    main()
