"""Benchmark scale-out probing: the PostgreSQL queue with 1, 2 and 4 workers against the
in-process path, on the same cached fixture wheels.

    python bench/queue_bench.py --jobs 12

1. Build ``--jobs`` releases of a fixture package with one C extension (the
   wheels of ``tests/wheelbuild.py``) for 3.14t and serve them on a loopback
   index (``tests/indexserver.py``). Warm the uv cache with one untimed pass.
2. In-process: ``run_probe_job`` for every job, one after another (what the
   ``TrackerService`` pool does with ``--probe-workers 1``), and the ``TrackerService``
   pool with 2 threads.
3. Queue: defer the jobs through ``ProbeQueue``, start W ``fttrack worker
   --burst`` processes, and time until every job has succeeded; W = 1, 2, 4.
   The dispatch gap (one job's end to the next job's start in the same
   worker) comes from procrastinate's event table.

Each run uses a private PostgreSQL schema (``--db``, default the local test
database), dropped afterwards. Prints a table and, with ``--json``, the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from testkit.indexserver import IndexServer  # noqa: E402
from testkit.wheelbuild import Extension, build_binary_wheel  # noqa: E402
from tracker.config import Settings, load_settings  # noqa: E402
from tracker.jobs import run_probe_job  # noqa: E402
from tracker.models import ProbeJob, get_target  # noqa: E402
from tracker.pythons.discover import find_interpreter  # noqa: E402
from tracker.queue.app import ProbeQueue  # noqa: E402
from tracker.queue.connection import conninfo  # noqa: E402
from tracker.service import TrackerService  # noqa: E402
from tracker.store.engine import open_store  # noqa: E402

TARGET = "3.14t"
FTTRACK = Path(sys.executable).with_name("fttrack")


@contextmanager
def private_schema(db_url: str) -> Iterator[str]:
    """A URL whose connections use a fresh schema holding the tracker tables; dropped after."""
    schema = f"fttrack_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(conninfo(db_url), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"'.encode())
    url = f"{db_url}{'&' if '?' in db_url else '?'}options=-csearch_path%3D{schema}"
    try:
        open_store(url, seed=False).close()
        yield url
    finally:
        with psycopg.connect(conninfo(db_url), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE'.encode())


def build_wheels(dest: Path, python: Path, count: int) -> list[ProbeJob]:
    """``count`` releases of ``ftbench`` (a package with one good C extension)."""
    jobs = []
    for i in range(count):
        version = f"1.{i}"
        build_binary_wheel(
            dest,
            python,
            "ftbench",
            [Extension("ftbench._core", "good")],
            version=version,
            python_files={"ftbench/__init__.py": "from ftbench import _core\n"},
        )
        jobs.append(ProbeJob("ftbench", version, TARGET))
    return jobs  # fmt: skip


def in_process(db_url: str, settings: Settings, jobs: list[ProbeJob]) -> float:
    """Seconds to run every job with ``run_probe_job``, one after another."""
    with private_schema(db_url) as url:
        store = open_store(url, seed=False)
        started = time.perf_counter()
        for job in jobs:
            result = run_probe_job(job, store, settings)
            assert result.status.value == "ready", result
        elapsed = time.perf_counter() - started
        store.close()
    return elapsed


def tracker_pool(db_url: str, settings: Settings, jobs: list[ProbeJob], threads: int) -> float:
    """Seconds for the in-process ``TrackerService`` pool of ``threads`` to run every job."""
    with private_schema(db_url) as url:
        store = open_store(url, seed=False)
        tracker = TrackerService(store, settings, targets=[TARGET], probe_workers=threads)
        started = time.perf_counter()
        tracker.queue_probes(jobs)
        while tracker.queued:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        tracker.shutdown()
        store.close()
    return elapsed


def _count(url: str, query: str) -> int:
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        row = connection.execute(query.encode()).fetchone()
    return int(row[0]) if row else 0


def _dispatch_gaps(url: str) -> list[float]:
    """Per worker: seconds from a job's end to the start of that worker's next job."""
    query = (
        "SELECT e.job_id, e.type::text, extract(epoch FROM e.at) FROM procrastinate_events e "
        "WHERE e.type IN ('started', 'succeeded') ORDER BY e.at"
    )
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        rows = connection.execute(query.encode()).fetchall()
    gaps, last_end = [], None
    for _job, kind, at in rows:  # one worker: events alternate started/succeeded
        if kind == "started" and last_end is not None:
            gaps.append(float(at) - last_end)
        if kind == "succeeded":
            last_end = float(at)
    return gaps


def _drain_seconds(url: str) -> float:
    """Seconds from the first job's start to the last job's end (worker start-up excluded)."""
    query = (
        "SELECT extract(epoch FROM max(at) FILTER (WHERE type = 'succeeded') "
        "- min(at) FILTER (WHERE type = 'started')) FROM procrastinate_events"
    )
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        row = connection.execute(query.encode()).fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


def queued(db_url: str, env: dict[str, str], jobs: list[ProbeJob], workers: int) -> dict[str, Any]:
    """Seconds for ``workers`` burst workers to drain the jobs (from spawn to last success)."""
    with private_schema(db_url) as url:
        with ProbeQueue(url) as queue:
            for job in jobs:
                queue.enqueue(job)
        argv = [str(FTTRACK), "worker", "--db", url, "--target", TARGET, "--burst",
                "--poll-seconds", "0.5"]  # fmt: skip
        started = time.perf_counter()
        processes = [
            subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(workers)
        ]
        first_registered = None
        while _count(
            url, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'"
        ) < len(jobs):
            if first_registered is None and _count(
                url, "SELECT count(*) FROM procrastinate_workers"
            ):
                first_registered = time.perf_counter() - started
            if any(p.poll() not in (None, 0) for p in processes):
                raise SystemExit("a worker failed")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        for process in processes:
            process.wait(timeout=60)
        failed = _count(url, "SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'")
        runs = _count(url, "SELECT count(*) FROM probe_runs")
        gaps = _dispatch_gaps(url) if workers == 1 else []
        drain = _drain_seconds(url)
    assert failed == 0 and runs == len(jobs), (failed, runs)
    return {
        "workers": workers,
        "seconds": round(elapsed, 2),
        "startup_seconds": round(first_registered or 0.0, 2),
        "drain_seconds": round(drain, 2),
        "dispatch_gap_ms": round(1000 * sum(gaps) / len(gaps), 1) if gaps else None,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=12, help="probe jobs per run (default 12)")
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--workers", default="1,2,4", help="worker counts (default 1,2,4)")
    parser.add_argument("--json", action="store_true", help="print JSON too")
    args = parser.parse_args(argv)

    base = load_settings()
    interpreter = find_interpreter(get_target(TARGET), base)
    with tempfile.TemporaryDirectory(prefix="fttrack-queue-bench-") as tmp:
        work = Path(tmp)
        jobs = build_wheels(work / "wheels", interpreter.path, args.jobs)
        with IndexServer() as index:
            index.add_directory(work / "wheels")
            settings = dataclasses.replace(
                base, index_url=index.index_url, pythons=(interpreter.path,),
                cache_dir=work / "cache",
            )  # fmt: skip
            env = dict(os.environ)
            env.update({"FTTRACK_INDEX_URL": index.index_url, "FTTRACK_PYTHONS": str(interpreter.path),
                        "FTTRACK_CACHE_DIR": str(work / "cache")})  # fmt: skip
            env.pop("FTTRACK_DB", None)
            in_process(args.db, settings, jobs)  # warm the uv cache, untimed
            direct = in_process(args.db, settings, jobs)
            pool2 = tracker_pool(args.db, settings, jobs, 2)
            runs = [queued(args.db, env, jobs, int(w)) for w in args.workers.split(",")]

    n = len(jobs)
    per_job = direct / n
    print(f"{n} probe jobs of cached fixture wheels on {TARGET}, {os.cpu_count()} CPUs")
    print(f"{'path':<34}{'seconds':>9}{'jobs/s':>9}{'vs direct':>11}")
    print(f"{'in-process run_probe_job, serial':<34}{direct:>9.2f}{n / direct:>9.2f}{1.0:>10.2f}x")
    print(f"{'in-process TrackerService pool, 2 threads':<34}{pool2:>9.2f}{n / pool2:>9.2f}"
          f"{direct / pool2:>10.2f}x")  # fmt: skip
    for run in runs:
        label = f"queue, {run['workers']} worker(s)"
        print(
            f"{label:<34}{run['seconds']:>9.2f}{n / run['seconds']:>9.2f}"
            f"{direct / run['seconds']:>10.2f}x   (incl. {run['startup_seconds']:.1f}s start-up)"
        )
        label = f"queue, {run['workers']} worker(s), drain only"
        print(f"{label:<34}{run['drain_seconds']:>9.2f}{n / run['drain_seconds']:>9.2f}"
              f"{direct / run['drain_seconds']:>10.2f}x")  # fmt: skip
    one = next((r for r in runs if r["workers"] == 1), None)
    summary: dict[str, Any] = {
        "jobs": n, "cpus": os.cpu_count(), "in_process_seconds": round(direct, 2),
        "in_process_seconds_per_job": round(per_job, 3), "tracker_pool_2_seconds": round(pool2, 2),
        "queue": runs,
    }  # fmt: skip
    if one is not None:
        overhead = one["drain_seconds"] / n - per_job
        summary["queue_overhead_ms_per_job"] = round(1000 * overhead, 1)
        summary["queue_1_worker_startup_seconds"] = one["startup_seconds"]
        print(f"queue overhead per job (1 worker, start-up of {one['startup_seconds']:.2f}s "
              f"excluded): {1000 * overhead:.0f} ms on {1000 * per_job:.0f} ms "
              f"({100 * overhead / per_job:.1f}%); dispatch gap {one['dispatch_gap_ms']} ms")  # fmt: skip
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
