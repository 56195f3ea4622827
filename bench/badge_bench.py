"""Badge throughput and p99 latency on a real uvicorn server, against a static route.

Starts ``uvicorn`` on 127.0.0.1 over a freshly seeded SQLite database, then
loads three routes of the same app for a few seconds each: ``/healthz`` (a
static answer: the baseline), ``/badges/NAME.json`` and ``/badges/NAME.svg``.
Uses ``wrk`` when it is installed, else an httpx async loop. Prints
requests/s and p99 per route, and each badge route as a ratio of the baseline.
Bounded: about 10 s in all.

    python bench/badge_bench.py [--seconds 3] [--connections 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.models import ProbeResult, Status  # noqa: E402
from tracker.store import PageFile, open_store  # noqa: E402


def make_app() -> object:
    """uvicorn factory: the API over the database named by ``FTTRACK_BENCH_DB``."""
    from tracker.api import create_app

    return create_app(os.environ["FTTRACK_BENCH_DB"])


def seed(url: str, projects: int = 200) -> None:
    """A database with ``projects`` projects, each with wheels and a probe."""
    store = open_store(url, seed=False)
    for index in range(projects):
        name = f"pkg{index}"
        files = [
            PageFile("1.0", f"{name}-1.0-cp314-cp314t-manylinux_2_28_x86_64.whl", False, 1, None),
            PageFile("1.0", f"{name}-1.0.tar.gz", False, 1, None),
            PageFile("0.9", f"{name}-0.9-cp313-cp313t-manylinux_2_28_x86_64.whl", False, 1, None),
        ]
        store.upsert_project_page(name, index, None, files)
        store.record_probe(
            ProbeResult(
                name,
                "1.0",
                "3.14t",
                "manylinux_x86_64",
                Status.READY,
                interpreter="3.14.7",
                sandbox="bwrap",
                probed_at="2026-11-01T00:00:00Z",
            )
        )
    store.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def run_wrk(url: str, seconds: float, connections: int) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses")
    return rps, float(value) * _UNITS[unit]


async def _httpx_loop(url: str, seconds: float, connections: int) -> tuple[float, float]:
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < stop:
            start = time.perf_counter()
            response = await client.get(url)
            response.raise_for_status()
            latencies.append((time.perf_counter() - start) * 1000)

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        began = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(connections)))
        elapsed = time.monotonic() - began
    return len(latencies) / elapsed, statistics.quantiles(latencies, n=100)[98]


def measure(url: str, seconds: float, connections: int, tool: str) -> tuple[float, float]:
    if tool == "wrk":
        return run_wrk(url, seconds, connections)
    return asyncio.run(_httpx_loop(url, seconds, connections))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per route (default 3)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--tool", choices=["auto", "wrk", "httpx"], default="auto")
    args = parser.parse_args()
    tool = "wrk" if args.tool == "auto" and shutil.which("wrk") else args.tool
    tool = "httpx" if tool == "auto" else tool

    with tempfile.TemporaryDirectory(prefix="fttrack-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seed(url)
        port = free_port()
        env = {**os.environ, "FTTRACK_BENCH_DB": url}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "badge_bench:make_app",
                "--app-dir",
                str(Path(__file__).parent),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(base, time.monotonic() + 20)
            for path in ("/badges/pkg7.json", "/badges/pkg7.svg"):  # warm the caches
                httpx.get(base + path, timeout=5).raise_for_status()
            routes = {
                "baseline /healthz": "/healthz",
                "badge .json": "/badges/pkg7.json?target=3.14t",
                "badge .svg": "/badges/pkg7.svg?target=3.14t",
            }
            results = {
                label: measure(base + path, args.seconds, args.connections, tool)
                for label, path in routes.items()
            }
        finally:
            server.terminate()
            server.wait(timeout=10)

    base_rps, base_p99 = results["baseline /healthz"]
    print(
        f"tool: {tool}, {args.connections} connections, {args.seconds:.0f} s per route, "
        "1 uvicorn worker, SQLite, 200 projects"
    )
    print(f"{'route':<20} {'req/s':>10} {'p99 ms':>9} {'req/s ratio':>12} {'p99 ratio':>10}")
    for label, (rps, p99) in results.items():
        print(
            f"{label:<20} {rps:>10.0f} {p99:>9.2f} {rps / base_rps:>12.2f} {p99 / base_p99:>10.2f}"
        )


if __name__ == "__main__":
    main()
