"""The service on a real snapshot: start, seeding, feed, export, status and badges.

Runs real ``fttrack serve --db sqlite:///TMP --no-crawl --probe-workers 0 --port P``
processes on 127.0.0.1 with ``FTTRACK_SNAPSHOT`` pointing at the snapshot
(the shipped one by default, or a generated one: ``bench/generate_snapshot.py``),
and measures, each figure the median of ``--runs`` runs:

- start: process start to the first 200 of ``/api/v1/projects/numpy`` (baseline:
  the first 200 of ``/healthz``), on a new database (answered from the snapshot
  while the database is seeded in the background) and again on the seeded one;
  the time until the seeding is done (the server's log line);
- the feed: its first request after seeding, after a restart and after a write
  (``record_probe`` of a synthetic probe, in this process, on the same SQLite
  file), against a repeated (cached) request; its size, plain and gzip;
- ``fttrack export DIR``: wall time, peak RSS (``os.wait4``: the rusage of that
  child alone, which ``RUSAGE_CHILDREN`` would mix with the servers'), site size
  (bytes of the files and disk use); baseline ``fttrack --version``;
- ``fttrack status`` (snapshot source, and ``--db``): wall time, same baseline;
  ``--only status`` measures ``fttrack status`` alone, no server: ``--recheck``
  (the machine's interpreters and sandbox levels checked again, as every status
  did before their report was kept) against the kept report, alternating;
- badges: req/s and p99 with ``wrk`` (or a Python load generator in several
  processes) at ``--connections`` connections on the one-worker server: one hot
  badge, ``--names`` distinct names, and one hot badge while this process writes
  probe results at ``--write-rate`` per second; baseline ``/healthz``.

Everything listens on loopback, every wait has a deadline, the servers are
stopped at the end. Prints one table (median, spread, baseline, ratio, goal).

The commands run as an installed fttrack does: with their modules' bytecode
cached (``PYTHONPYCACHEPREFIX`` in the bench's temporary directory, and
``PYTHONDONTWRITEBYTECODE`` removed from their environment), after one
unmeasured run of each. ``--bytecode env`` keeps the environment as it is
(with ``PYTHONDONTWRITEBYTECODE`` set, every run compiles fttrack's modules again).

    python bench/service_bench.py [--snapshot data/snapshot.json.gz] [--runs 3]
    python bench/service_bench.py --snapshot /tmp/fttrack-bench/snapshot-15000.json.gz
    python bench/service_bench.py --only status --runs 9
    python bench/service_bench.py --only seeding --runs 2 --seconds 3

``--only seeding`` starts one fresh server and loads it (from other processes)
while it seeds from the snapshot, then again once seeded: badges, project reads
and writes, each figure with its ratio to the same server after seeding.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.archive import Archive  # noqa: E402
from tracker.datafiles import snapshot_path  # noqa: E402
from tracker.models import ProbeResult, Status  # noqa: E402
from tracker.store import open_store  # noqa: E402

PROJECT = "numpy"


def fttrack_command() -> list[str]:
    """The ``fttrack`` entry point of this interpreter's environment."""
    script = Path(sys.executable).with_name("fttrack")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from tracker.cli import main; main()"]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- one server ----------------------------------------------------------------------------


@dataclass
class Server:
    """A running ``fttrack serve`` and what its log and first answers said."""

    process: subprocess.Popen[str]
    base: str
    started: float
    first_ok: dict[str, float] = field(default_factory=dict)
    seeded_at: float | None = None
    log: list[str] = field(default_factory=list)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(db_url: str, env: dict[str, str], paths: Sequence[str]) -> Server:
    """Start a server and poll ``paths`` until each answered 200 once (recording when)."""
    port = free_port()
    command = [*fttrack_command(), "serve", "--db", db_url, "--no-crawl"]
    command += ["--probe-workers", "0", "--host", "127.0.0.1", "--port", str(port)]
    started = time.monotonic()
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    server = Server(process, f"http://127.0.0.1:{port}", started)

    def read_log() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            server.log.append(line.rstrip())
            if "database seeded in" in line and server.seeded_at is None:
                server.seeded_at = time.monotonic()

    def poll(path: str) -> None:
        with httpx.Client(timeout=5) as client:
            while process.poll() is None and time.monotonic() - started < 120:
                try:
                    if client.get(server.base + path).status_code == 200:
                        server.first_ok[path] = time.monotonic() - started
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.01)

    threading.Thread(target=read_log, daemon=True).start()
    pollers = [threading.Thread(target=poll, args=(p,), daemon=True) for p in paths]
    for thread in pollers:
        thread.start()
    for thread in pollers:
        thread.join()
    if len(server.first_ok) < len(paths):
        server.stop()
        tail = "\n".join(server.log[-20:])
        raise SystemExit(f"the server did not answer {paths}:\n{tail}")
    return server


def wait_seeded(server: Server, deadline: float) -> float:
    """Seconds from process start until the server logged that seeding was done."""
    while server.seeded_at is None:
        if time.monotonic() > deadline or server.process.poll() is not None:
            raise SystemExit("seeding did not finish:\n" + "\n".join(server.log[-20:]))
        time.sleep(0.05)
    return server.seeded_at - server.started


def timed_get(url: str, headers: dict[str, str] | None = None) -> tuple[float, httpx.Response]:
    """(seconds, response) of one GET on a new connection."""
    began = time.perf_counter()
    response = httpx.get(url, headers=headers or {}, timeout=120)
    response.raise_for_status()
    return time.perf_counter() - began, response


# -- writes --------------------------------------------------------------------------------


def write_probe(db_url: str, name: str, version: str, serial: int) -> None:
    """Record one synthetic probe result (a write transaction, like a probe's)."""
    store = open_store(db_url, seed=False)
    try:
        store.record_probe(synthetic_probe(name, version, serial))
    finally:
        store.close()


def synthetic_probe(name: str, version: str, serial: int) -> ProbeResult:
    """A probe result that differs from every earlier one (its time)."""
    return ProbeResult(
        name,
        version,
        "3.14t",
        "manylinux_x86_64",
        Status.READY if serial % 2 else Status.GIL_REENABLED,
        interpreter="3.14.7",
        sandbox="bwrap",
        probed_at=f"2027-01-01T00:{serial // 60 % 60:02d}:{serial % 60:02d}Z",
    )


class Writer:
    """Writes probe results at ``rate`` per second in a thread until stopped."""

    def __init__(self, db_url: str, targets: list[tuple[str, str]], rate: float) -> None:
        self.db_url, self.targets, self.rate = db_url, targets, rate
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        store = open_store(self.db_url, seed=False)
        try:
            began = time.monotonic()
            while not self._stop.is_set():
                name, version = self.targets[self.count % len(self.targets)]
                store.record_probe(synthetic_probe(name, version, 1000 + self.count))
                self.count += 1
                pause = began + self.count / self.rate - time.monotonic()
                if pause > 0:
                    self._stop.wait(pause)
        finally:
            store.close()

    def __enter__(self) -> Writer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


# -- load ----------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def run_wrk(
    base: str, paths: Sequence[str], seconds: float, connections: int
) -> tuple[float, float]:
    """(requests/s, p99 ms) of ``wrk`` cycling through ``paths``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        listed = ",".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
        script.write(
            f"local paths = {{{listed}}}\nlocal i = 0\n"
            "request = function()\n  i = i % #paths + 1\n"
            '  return wrk.format("GET", paths[i])\nend\n'
        )
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds:.0f}s",
                "--latency",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{base}{paths[0]}: {errors.group(1)} error responses")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rps, float(value) * _UNITS[unit]


async def _load_loop(
    host: str, port: int, paths: Sequence[str], stop: float, connections: int, offset: int
) -> list[float]:
    latencies: list[float] = []
    if stop < 0:  # a duration: from now
        stop = time.monotonic() - stop

    async def connection(index: int) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        i = offset + index
        try:
            while time.monotonic() < stop:
                path = paths[i % len(paths)]
                i += connections
                began = time.perf_counter()
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 200"):
                    raise SystemExit(f"{path}: {head.splitlines()[0]!r}")
                length = re.search(rb"(?i)content-length:\s*(\d+)", head)
                await reader.readexactly(int(length.group(1)) if length else 0)
                latencies.append((time.perf_counter() - began) * 1000)
        finally:
            writer.close()

    await asyncio.gather(*(connection(i) for i in range(connections)))
    return latencies


def _load_process(
    args: tuple[str, int, list[str], float, int, int],
) -> list[float]:
    return asyncio.run(_load_loop(*args))


def run_python_load(
    base: str, paths: Sequence[str], seconds: float, connections: int, processes: int = 2
) -> tuple[float, float]:
    """(requests/s, p99 ms) of keep-alive connections spread over ``processes`` processes."""
    host, port = base.removeprefix("http://").split(":")
    per = max(1, connections // processes)
    # each process loads for ``seconds`` from its own start (spawning one can take seconds)
    jobs = [(host, int(port), list(paths), -seconds, per, i * per) for i in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_load_process, jobs)
    latencies = [x for part in results for x in part]
    return len(latencies) / seconds, statistics.quantiles(latencies, n=100)[98]


# -- the measurements ----------------------------------------------------------------------


@dataclass
class Figures:
    """Every sample, by row label."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, value: float) -> None:
        """Add one sample of ``label``."""
        self.samples.setdefault(label, []).append(value)

    def median(self, label: str) -> float:
        """The median of the samples of ``label``."""
        return statistics.median(self.samples[label])


def run_timed(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in bytes) of one child process, which must succeed."""
    began = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)  # fmt: skip
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors}")
    return elapsed, usage.ru_maxrss * 1024


def site_size(directory: Path) -> tuple[int, int, int]:
    """(bytes of the files, bytes of disk they use, number of files) under ``directory``
    (or of ``directory`` itself when it is a file)."""
    total = disk = files = 0
    for path in [directory] if directory.is_file() else directory.rglob("*"):
        if path.is_file():
            info = path.stat()
            total += info.st_size
            disk += info.st_blocks * 512
            files += 1
    return total, disk, files


def measure_server_runs(
    figures: Figures,
    snapshot: Path,
    tmp: Path,
    runs: int,
    env: dict[str, str],
    seed_deadline: float,
) -> str:
    """Fresh servers on new databases: start, seeding, feed; returns the last database URL."""
    paths = ["/healthz", f"/api/v1/projects/{PROJECT}"]
    archive = Archive(snapshot)
    summary = next(s for s in archive.summaries() if s.name == PROJECT)
    url = ""
    for run in range(runs):
        url = f"sqlite:///{tmp / f'run{run}.db'}"
        server = start_server(url, env, paths)
        try:
            figures.add("start: first 200 of /healthz", server.first_ok["/healthz"])
            figures.add(f"start: first 200 of /projects/{PROJECT}", server.first_ok[paths[1]])
            figures.add("seeding done", wait_seeded(server, time.monotonic() + seed_deadline))
            feed_url = server.base + "/api/v1/feed.json"
            took, response = timed_get(feed_url)
            figures.add("feed: first after seeding", took)
            names = len(response.json()["projects"])
            figures.add("feed: bytes per project", len(response.content) / names)
            took, response = timed_get(feed_url, {"Accept-Encoding": "gzip"})
            assert response.headers.get("content-encoding") == "gzip"
            figures.add("feed: gzip bytes per project", response.num_bytes_downloaded / names)
            figures.notes["feed: bytes per project"] = f"{names} projects"
            for _ in range(3):
                took, _response = timed_get(feed_url)
                figures.add("feed: repeated (cached)", took)
            before = response.headers["etag"]
            write_probe(url, PROJECT, summary.version or "", run)
            time.sleep(1.2)  # past recheck_seconds: the next request looks at the database
            took, response = timed_get(feed_url, {"Accept-Encoding": "gzip"})
            figures.add("feed: first after a write", took)
            if response.headers["etag"] == before:
                raise SystemExit("the feed did not change after a write")
        finally:
            server.stop()
        server = start_server(url, env, paths)  # the same database, seeded: a restart
        try:
            figures.add("restart: first 200 of /healthz", server.first_ok["/healthz"])
            figures.add(f"restart: first 200 of /projects/{PROJECT}", server.first_ok[paths[1]])
            took, _response = timed_get(server.base + "/api/v1/feed.json")
            figures.add("feed: first after a restart", took)
        finally:
            server.stop()
    if keep := os.environ.get("FTTRACK_BENCH_KEEP_DB"):
        shutil.copy(url.removeprefix("sqlite:///"), keep)
    return url


def measure_commands(figures: Figures, url: str, tmp: Path, runs: int, env: dict[str, str]) -> None:
    """``fttrack --version`` (baseline), ``status``, ``status --db`` and ``export``."""
    fttrack = fttrack_command()
    for warm_up in (["--version"], ["status"], ["status", "--db", url]):  # bytecode, disk cache
        run_timed([*fttrack, *warm_up], env)
    for run in range(runs):
        figures.add("fttrack --version", run_timed([*fttrack, "--version"], env)[0])
        figures.add("fttrack status", run_timed([*fttrack, "status"], env)[0])
        figures.add("fttrack status --db", run_timed([*fttrack, "status", "--db", url], env)[0])
        site = tmp / f"site{run}"
        took, rss = run_timed([*fttrack, "export", str(site), "--db", url], env)
        figures.add("export: wall", took)
        figures.add("export: peak RSS MiB", rss / 2**20)
        total, disk, files = site_size(site)
        figures.add("export: site MiB (file bytes)", total / 2**20)
        figures.add("export: site MiB (disk use)", disk / 2**20)
        figures.notes["export: site MiB (file bytes)"] = f"{files} files"
        for part in ("projects", "badges", "index.html"):
            part_bytes, _disk, part_files = site_size(site / part)
            figures.add(f"export: {part} MiB", part_bytes / 2**20)
            figures.notes[f"export: {part} MiB"] = f"{part_files} files"
        feed = site / "feed.json"
        if feed.is_file():
            figures.add("export: feed.json MiB", feed.stat().st_size / 2**20)
            figures.add("export: feed.json.gz MiB", len(gzip.compress(feed.read_bytes())) / 2**20)
        shutil.rmtree(site)


def measure_status(figures: Figures, runs: int, env: dict[str, str]) -> None:
    """``fttrack --version`` (baseline), ``status --recheck`` and ``status``, alternating."""
    fttrack = fttrack_command()
    for warm_up in (["--version"], ["status", "--recheck"], ["status"]):  # bytecode, disk cache
        run_timed([*fttrack, *warm_up], env)
    for _run in range(runs):
        figures.add("fttrack --version", run_timed([*fttrack, "--version"], env)[0])
        figures.add(
            "fttrack status --recheck", run_timed([*fttrack, "status", "--recheck"], env)[0]
        )
        figures.add("fttrack status", run_timed([*fttrack, "status"], env)[0])


def measure_badges(
    figures: Figures,
    url: str,
    env: dict[str, str],
    names: list[str],
    load: Callable[[str, Sequence[str], float, int], tuple[float, float]],
    seconds: float,
    connections: int,
    write_rate: float,
    runs: int,
) -> None:
    """Badge throughput and p99 on one server over the seeded database."""
    archive_versions = dict(names_versions(env))
    server = start_server(url, env, ["/healthz", f"/badges/{PROJECT}.svg"])
    try:
        base = server.base
        for name in names:  # render each badge once: the hot figures are about the cache
            httpx.get(f"{base}/badges/{name}.svg", timeout=10).raise_for_status()
        writes = [(n, archive_versions[n]) for n in names if archive_versions.get(n)]
        for _ in range(runs):
            for label, paths in (
                ("/healthz", ["/healthz"]),
                ("badge hot", [f"/badges/{PROJECT}.svg"]),
                (f"badge, {len(names)} names", [f"/badges/{n}.svg" for n in names]),
            ):
                rps, p99 = load(base, paths, seconds, connections)
                figures.add(f"{label}: req/s", rps)
                figures.add(f"{label}: p99 ms", p99)
            with Writer(url, writes, write_rate) as writer:
                rps, p99 = load(base, [f"/badges/{PROJECT}.svg"], seconds, connections)
            figures.add("badge hot, writes: req/s", rps)
            figures.add("badge hot, writes: p99 ms", p99)
            figures.notes["badge hot, writes: req/s"] = (
                f"{writer.count / seconds:.0f} writes/s during the load"
            )
    finally:
        server.stop()


SEED_LOADS = ("badge hot", "badges, distinct names", "read /projects/NAME")


def measure_seeding(
    figures: Figures,
    tmp: Path,
    env: dict[str, str],
    names: list[str],
    load: Callable[[str, Sequence[str], float, int], tuple[float, float]],
    seconds: float,
    connections: int,
    runs: int,
    seed_deadline: float,
) -> None:
    """A fresh server under load while it seeds, then the same server after seeding.

    Badges (one hot, distinct names) and project reads: req/s and p99 from
    ``load`` (other processes); a write (``POST /api/v1/watch``): its answer's
    time, 5 times per run. The during-seeding rounds must end before the seed
    does (else the run is refused: the figures would mix both states).
    """
    token = "bench-token"
    env = {**env, "FTTRACK_API_TOKEN": token}
    url = f"sqlite:///{tmp / 'seeding.db'}"
    paths = {
        "badge hot": [f"/badges/{PROJECT}.svg"],
        "badges, distinct names": [f"/badges/{n}.svg" for n in names],
        "read /projects/NAME": [f"/api/v1/projects/{n}" for n in names[:500]],
    }
    server = start_server(url, env, ["/healthz", f"/api/v1/projects/{PROJECT}"])
    try:
        for phase in ("seeding", "seeded"):
            if phase == "seeded":
                wait_seeded(server, time.monotonic() + seed_deadline)
                time.sleep(2)  # the cache's switch to the database is done
            for _ in range(runs):
                for label in SEED_LOADS:
                    rps, p99 = load(server.base, paths[label], seconds, connections)
                    figures.add(f"{phase}: {label}: req/s", rps)
                    figures.add(f"{phase}: {label}: p99 ms", p99)
                for serial in range(5):
                    began = time.perf_counter()
                    answer = httpx.post(
                        server.base + "/api/v1/watch",
                        json={"names": [names[serial]]},
                        headers={"Authorization": f"Bearer {token}"},
                        timeout=120,
                    )
                    figures.add(f"{phase}: write answered ms", (time.perf_counter() - began) * 1e3)
                    expected = 202 if phase == "seeding" else 200
                    if answer.status_code != expected:
                        raise SystemExit(f"{phase}: POST /watch answered {answer.status_code}")
            if phase == "seeding" and server.seeded_at is not None:
                raise SystemExit("the seed ended during the load: use fewer --runs or --seconds")
        figures.notes["seeded: write answered ms"] = (
            f"seeding took {server.seeded_at - server.started:.0f} s"
            if server.seeded_at is not None
            else ""
        )
    finally:
        server.stop()


def names_versions(env: dict[str, str]) -> list[tuple[str, str]]:
    """(name, current version) of every project of the snapshot."""
    archive = Archive(Path(env["FTTRACK_SNAPSHOT"]))
    return [(s.name, s.version or "") for s in archive.summaries()]


# -- the table -----------------------------------------------------------------------------

# (row, baseline row or None, goal text, goal check)
ROWS: list[tuple[str, str | None, str, Callable[[float], bool] | None]] = [
    ("start: first 200 of /healthz", None, "", None),
    (f"start: first 200 of /projects/{PROJECT}", "start: first 200 of /healthz", "≤ 3 s",
     lambda v: v <= 3),
    ("seeding done", "start: first 200 of /healthz", "", None),
    ("restart: first 200 of /healthz", None, "", None),
    (f"restart: first 200 of /projects/{PROJECT}", "restart: first 200 of /healthz", "", None),
    ("feed: repeated (cached)", None, "", None),
    ("feed: first after seeding", "feed: repeated (cached)", "", None),
    ("feed: first after a restart", "feed: repeated (cached)", "", None),
    ("feed: first after a write", "feed: repeated (cached)", "", None),
    ("feed: bytes per project", None, "≤ 400", lambda v: v <= 400),
    ("feed: gzip bytes per project", "feed: bytes per project", "", None),
    ("fttrack --version", None, "", None),
    ("fttrack status --recheck", "fttrack --version", "", None),
    ("fttrack status", "fttrack --version", "≤ 0.5 s", lambda v: v <= 0.5),
    ("fttrack status --db", "fttrack --version", "", None),
    ("export: wall", "fttrack --version", "≤ 20 s", lambda v: v <= 20),
    ("export: peak RSS MiB", None, "≤ 400 MB", lambda v: v * 2**20 <= 400e6),
    ("export: site MiB (file bytes)", None, "≤ 40 MB", lambda v: v * 2**20 <= 40e6),
    ("export: site MiB (disk use)", None, "", None),
    ("export: projects MiB", None, "", None),
    ("export: badges MiB", None, "", None),
    ("export: index.html MiB", None, "", None),
    ("export: feed.json MiB", None, "", None),
    ("export: feed.json.gz MiB", None, "", None),
    ("/healthz: req/s", None, "", None),
    ("/healthz: p99 ms", None, "", None),
    ("badge hot: req/s", "/healthz: req/s", "≥ 3000", lambda v: v >= 3000),
    ("badge hot: p99 ms", "/healthz: p99 ms", "≤ 10 ms", lambda v: v <= 10),
    ("badge hot, writes: req/s", "badge hot: req/s", "≥ 0.5 × idle", None),
    ("badge hot, writes: p99 ms", "badge hot: p99 ms", "", None),
    *(
        row
        for label in SEED_LOADS
        for row in (
            (f"seeded: {label}: req/s", None, "", None),
            (f"seeding: {label}: req/s", f"seeded: {label}: req/s", "", None),
            (f"seeded: {label}: p99 ms", None, "", None),
            (f"seeding: {label}: p99 ms", f"seeded: {label}: p99 ms", "≤ 20 ms",
             lambda v: v <= 20),
        )
    ),
    ("seeded: write answered ms", None, "", None),
    ("seeding: write answered ms", "seeded: write answered ms", "≤ 1000 ms",
     lambda v: v <= 1000),
]  # fmt: skip


def print_table(figures: Figures, names: int) -> None:
    """One line per measured row: median, spread, baseline, ratio, goal."""
    rows = list(ROWS)
    distinct = f"badge, {names} names"
    rows += [
        (f"{distinct}: req/s", "/healthz: req/s", "≥ 1500", lambda v: v >= 1500),
        (f"{distinct}: p99 ms", "/healthz: p99 ms", "", None),
    ]
    print(f"{'measure':<34} {'median':>9} {'min..max':>17} {'× baseline':>10}  goal")
    for label, baseline, goal, check in rows:
        if label not in figures.samples:
            continue
        value = figures.median(label)
        values = figures.samples[label]
        spread = f"{min(values):.3g}..{max(values):.3g}"
        ratio = ""
        if baseline and baseline in figures.samples and figures.median(baseline):
            ratio = f"{value / figures.median(baseline):.2f}"
        if label == "badge hot, writes: req/s":
            check = (lambda idle: lambda v: v >= 0.5 * idle)(figures.median("badge hot: req/s"))
        verdict = "" if check is None else (" ok" if check(value) else " MISSED")
        note = figures.notes.get(label, "")
        print(f"{label:<34} {value:>9.4g} {spread:>17} {ratio:>10}  {goal}{verdict}"
              + (f"  ({note})" if note else ""))  # fmt: skip


def main() -> None:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", type=Path, default=snapshot_path())
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--seconds", type=float, default=3.0, help="per load run (default 3)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--names", type=int, default=2000, help="distinct badge names")
    parser.add_argument("--write-rate", type=float, default=20.0, help="writes/s (default 20)")
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--seed-deadline", type=float, default=600.0, help="seconds")
    parser.add_argument(
        "--db", help="a database seeded from --snapshot, for the parts other than 'server'"
    )
    parser.add_argument(
        "--bytecode",
        choices=["cached", "env"],
        default="cached",
        help="cached: the commands' bytecode is cached, as installed (default); env: as it is",
    )
    parser.add_argument(
        "--only",
        default="server,commands,badges",
        help="comma-separated parts: server, commands, badges (default all); "
        "status: fttrack status alone, checked again and kept (no server); "
        "seeding: a fresh server under load while it seeds, then after (same server)",
    )
    args = parser.parse_args()
    parts = set(args.only.split(","))
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    load = run_wrk if tool == "wrk" else run_python_load
    snapshot = args.snapshot.resolve()
    env = {**os.environ, "FTTRACK_SNAPSHOT": str(snapshot)}
    env.pop("FTTRACK_DB", None)
    figures = Figures()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fttrack-service-bench-") as name:
        tmp = Path(name)
        if args.bytecode == "cached":
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        if parts == {"status"}:
            measure_status(figures, args.runs, env)
            print(
                f"snapshot {snapshot}; {args.runs} runs; bytecode {args.bytecode}; "
                f"{time.monotonic() - began:.0f} s in all"
            )
            print_table(figures, 0)
            return
        if parts == {"seeding"}:
            names = [n for n, _v in names_versions(env)][: args.names]
            measure_seeding(figures, tmp, env, names, load, args.seconds, args.connections,
                            args.runs, args.seed_deadline)  # fmt: skip
            print(
                f"snapshot {snapshot}; {args.runs} runs; load: {tool}, {args.connections} "
                f"connections, {args.seconds:.0f} s per run; {time.monotonic() - began:.0f} s"
            )
            print_table(figures, 0)
            return
        if "server" in parts or not args.db:
            runs = args.runs if "server" in parts else 1
            url = measure_server_runs(figures, snapshot, tmp, runs, env, args.seed_deadline)
        else:
            url = args.db
        if "commands" in parts:
            measure_commands(figures, url, tmp, args.runs, env)
        names = [n for n, _v in names_versions(env)][: args.names]
        if "badges" in parts:
            measure_badges(figures, url, env, names, load, args.seconds, args.connections,
                           args.write_rate, args.runs)  # fmt: skip
    print(
        f"snapshot {snapshot} ({len(Archive(snapshot).names())} projects); {args.runs} runs; "
        f"load: {tool}, {args.connections} connections, {args.seconds:.0f} s per run, "
        f"1 server process; bytecode {args.bytecode}; {time.monotonic() - began:.0f} s in all"
    )
    print_table(figures, len(names))


if __name__ == "__main__":
    main()
