"""Benchmark ``fttrack audit`` against ``uv-readiness --offline`` and ``python -c pass``.

By default one command measures, side by side, on the real 165-package
``tests/assets/lockfiles/uv.large.lock`` (uv's lock of
``uv.large.pyproject.toml``; or ``--lock PATH``) and the shipped verdict
snapshot: ``fttrack audit`` (table and json), ``uv-readiness --offline`` on the
same lock, and ``python -c pass``. Each command runs as a subprocess N times,
the commands taking turns (one run of each, then the next round), after one
untimed warm-up run each; the table gives the median and best wall time, the
peak RSS of the child (``resource.getrusage(RUSAGE_CHILDREN)``, measured in a
fresh helper process per run so maxima do not mix), ratios, and the goals
(audit ≤ 0.15 s median wall, ≥ 4x faster than uv-readiness, ≤ 40 MiB)::

    python bench/audit_bench.py [--runs 15] [--uv-readiness PATH | --make-uv-readiness]

Every command runs with a bytecode cache of its own (``PYTHONPYCACHEPREFIX`` in
a temporary directory, ``PYTHONDONTWRITEBYTECODE`` unset), filled by the warm-up
run: an installed package has its modules compiled at install time, and
without the cache an environment that forbids writing bytecode would compile
fttrack's modules on every run (about 50 ms) while uv-readiness, installed by
pip, has them compiled.

``--instructions`` counts, instead of timing, the instructions each command
executes (``valgrind --tool=cachegrind --cache-sim=no``, after one warm-up
run that fills the bytecode cache): unlike wall time, the count does not move
with the machine's load. It prints them side by side with the ratios::

    python bench/audit_bench.py --instructions [--uv-readiness PATH]

uv-readiness needs Python >= 3.12: ``--make-uv-readiness`` pip-installs it into a
throwaway virtualenv of the newest interpreter fttrack knows (``fttrack python
list``), else of the newest ``python3.1x`` >= 3.12 on ``PATH``, from the
configured index.

``--synthetic`` audits a generated 500-package lock against a generated
5,000-project snapshot instead; ``--real`` a lock of the most downloaded projects
the shipped snapshot holds.

``--toml`` compares the TOML parsers that are importable (tomllib, tomli,
rtoml, pytomlpp, toml_rs) on a large real ``uv.lock`` (the 0.9 MB, 165-package
fixture by default): best-of-N parse time, the ratio to tomllib, whether the
document equals tomllib's, and what each does with ``[`` nested 100,000 deep
(run in a child process, since a parser may crash the interpreter). Install
the candidates in a throwaway virtualenv and run the bench with its python;
whether a candidate has free-threaded wheels is told by
``pip download --only-binary :all: --python-version 3.14 --abi cp314t NAME``.

    python bench/audit_bench.py --toml [--runs 20] [--lock uv.lock]
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LARGE_LOCK = Path(__file__).resolve().parent.parent / "tests/assets/lockfiles/uv.large.lock"
#: module -> name of its text-parsing function.
TOML_PARSERS = {
    "tomllib": "loads",
    "tomli": "loads",
    "rtoml": "load",
    "pytomlpp": "loads",
    "toml_rs": "loads",
}
STATUSES = ["ready", "gil-reenabled", "wheel-only", "pure", "no-ft-wheel", "sdist-only"]
TARGETS = ["3.13t", "3.14t", "3.15t"]


def _target_entry(rng: random.Random, status: str, when: str) -> dict[str, Any]:
    probe = None
    evidence = "tags"
    culprits: list[dict[str, str]] = []
    if status in ("ready", "gil-reenabled"):
        evidence = "probe"
        modules = [
            {"name": f"pkg._ext{i}", "outcome": "ok", "detail": "", "owner": "pkg"}
            for i in range(rng.randint(1, 4))
        ]
        if status == "gil-reenabled":
            culprits = [{"module": "pkg._ext0", "owner": "pkg"}]
            modules[0]["outcome"] = "gil-reenabled"
        probe = {
            "interpreter": "3.14.7",
            "sandbox": "bwrap",
            "platform": "manylinux_x86_64",
            "modules": modules,
            "timings": {"install": 1.2, "import": 0.4},
            "stderr_tail": "",
            "detail": "",
        }
    platforms = ["any"] if status == "pure" else ["manylinux_x86_64", "macosx_arm64", "win_amd64"]
    return {
        "status": status,
        "evidence": evidence,
        "platforms": platforms
        if status in ("ready", "gil-reenabled", "wheel-only", "pure")
        else [],
        "culprits": culprits,
        "probed_at": when if probe else None,
        "probe": probe,
    }


def make_project(index: int, rng: random.Random) -> dict[str, Any]:
    """One synthetic project document in the feed format."""
    name = f"pkg-{index:05d}"
    releases: list[dict[str, Any]] = []
    for minor in (3, 2, 1):
        version = f"1.{minor}.0"
        when = f"2026-11-{minor + 10:02d}T12:00:00Z"
        targets = {t: _target_entry(rng, rng.choice(STATUSES), when) for t in TARGETS}
        releases.append({"version": version, "yanked": False, "uploaded": when, "targets": targets})
    first_ready: dict[str, str] = {}
    for target in TARGETS:
        for release in reversed(releases):
            if release["targets"][target]["status"] in ("ready", "pure"):
                first_ready[target] = release["version"]
                break
    return {
        "name": name,
        "display_name": name,
        "classifier": None,
        "watch_reason": "seed",
        "releases": releases,
        "first_ready": first_ready,
    }


def make_feed(projects: int, seed: int = 1) -> dict[str, Any]:
    """A feed document with ``projects`` synthetic projects."""
    rng = random.Random(seed)
    return {
        "schema": 1,
        "generated": "2026-11-25T00:00:00Z",
        "targets": TARGETS,
        "projects": [make_project(i, rng) for i in range(projects)],
    }


def _wheels(name: str, version: str, rng: random.Random) -> list[str]:
    stem = f"{name.replace('-', '_')}-{version}"
    kind = rng.choice(["ft", "gil", "pure"])
    if kind == "pure":
        return [f"{stem}-py3-none-any.whl"]
    tags = ["cp313-cp313", "cp314-cp314"] + (
        ["cp314-cp314t", "cp315-cp315t"] if kind == "ft" else []
    )
    return [f"{stem}-{tag}-manylinux_2_28_x86_64.whl" for tag in tags]


def write_uv_lock(directory: Path, names: list[tuple[str, str]], rng: random.Random) -> Path:
    """A ``uv.lock`` (and its ``pyproject.toml``) locking ``names`` (name, version)."""
    deps = ", ".join(f'{{ name = "{n}" }}' for n, _ in names)
    parts = [
        'version = 1\nrevision = 3\nrequires-python = ">=3.11"\n',
        f'[[package]]\nname = "demo"\nversion = "0.1.0"\nsource = {{ virtual = "." }}\n'
        f"dependencies = [{deps}]\n\n[package.metadata]\nrequires-dist = [{deps}]\n",
    ]
    for name, version in names:
        wheels = ",\n".join(
            f'    {{ url = "https://files.index.invalid/packages/{w}", '
            f'hash = "sha256:{"0" * 64}", size = 1000 }}'
            for w in _wheels(name, version, rng)
        )
        parts.append(
            f'[[package]]\nname = "{name}"\nversion = "{version}"\n'
            f'source = {{ registry = "https://index.invalid/simple" }}\nwheels = [\n{wheels},\n]\n'
        )
    (directory / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{', '.join(repr(n) for n, _ in names)}]\n"
    )
    lock = directory / "uv.lock"
    lock.write_text("\n".join(parts))
    return lock


def write_inputs(directory: Path, projects: int = 5000, deps: int = 500) -> tuple[Path, Path]:
    """Write ``snapshot.json.gz`` and a ``uv.lock`` pinning ``deps`` packages, most of them
    in the snapshot (one in ten is not tracked)."""
    snapshot = directory / "snapshot.json.gz"
    snapshot.write_bytes(gzip.compress(json.dumps(make_feed(projects)).encode(), 6))
    rng = random.Random(2)
    names = [
        (f"pkg-{index:05d}", rng.choice(["1.1.0", "1.2.0", "1.3.0"]))
        for index in sorted(rng.sample(range(projects + deps // 10), deps))
    ]
    return snapshot, write_uv_lock(directory, names, rng)


def write_real_inputs(directory: Path, deps: int = 500) -> tuple[Path, Path]:
    """The shipped snapshot, and a ``uv.lock`` pinning the ``deps`` most downloaded
    projects it holds at their current release."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tracker.datafiles import data_file, snapshot_path
    from tracker.documents import current_release
    from tracker.verdicts.snapshot import SnapshotSource

    snapshot = snapshot_path()
    source = SnapshotSource(snapshot)
    known = {summary.name for summary in source.summaries()}
    names: list[tuple[str, str]] = []
    for line in data_file("top-pypi-packages.txt").read_text().splitlines():
        name = line.strip().lower().replace("_", "-").replace(".", "-")
        if name.startswith("#") or name not in known:
            continue
        document = source.project(name)
        release = current_release(document.releases) if document else None
        if release is not None:
            names.append((name, release.version))
        if len(names) == deps:
            break
    return snapshot, write_uv_lock(directory, names, random.Random(2))


_MEASURE = r"""
import resource, subprocess, sys, time, json
argv = json.loads(sys.argv[1])
start = time.perf_counter()
done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "rss_kib": rss, "rc": done.returncode}))
"""


def _measure_once(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, json.dumps(argv)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    row: dict[str, float] = json.loads(out.stdout)
    return row


def measure_all(
    commands: list[tuple[str, list[str]]], runs: int, env: dict[str, str]
) -> list[tuple[str, dict[str, float]]]:
    """Best and median wall time and peak RSS (MiB) of each command over ``runs`` runs.

    One untimed warm-up run each (it fills the bytecode cache and the page cache),
    then the commands take turns, so a change in the machine's load falls on all
    of them alike.
    """
    for _label, argv in commands:
        _measure_once(argv, env)
    rows: dict[str, list[dict[str, float]]] = {label: [] for label, _ in commands}
    for _ in range(runs):
        for label, argv in commands:
            rows[label].append(_measure_once(argv, env))
    results = []
    for label, _argv in commands:
        walls = [row["wall"] for row in rows[label]]
        results.append(
            (
                label,
                {
                    "best": min(walls),
                    "median": statistics.median(walls),
                    "rss_mib": max(row["rss_kib"] for row in rows[label]) / 1024,
                    "rc": sorted({row["rc"] for row in rows[label]})[0],
                },
            )
        )
    return results


def count_instructions(argv: list[str], env: dict[str, str]) -> int:
    """Instructions ``argv`` executes (valgrind's cachegrind without its cache
    simulation), after one warm-up run that fills the bytecode cache. The exit code
    is not checked: an audit that finds blockers exits with 1."""
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    with tempfile.NamedTemporaryFile(suffix=".log") as log:
        subprocess.run(
            [
                "valgrind", "--tool=cachegrind", "--cache-sim=no",
                "--cachegrind-out-file=/dev/null", f"--log-file={log.name}", *argv,
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        text = Path(log.name).read_text()
    for line in text.splitlines():
        if "I   refs:" in line or "I refs:" in line:
            return int(line.rsplit(":", 1)[1].strip().replace(",", ""))
    raise SystemExit(f"no instruction count from valgrind for {argv[0]}:\n{text}")


def print_instructions(commands: list[tuple[str, list[str]]], env: dict[str, str]) -> None:
    """One line per command: its instructions, × ``python -c pass``, and how many times
    fewer than uv-readiness's."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind on PATH")
    counts = {label: count_instructions(argv, env) for label, argv in commands}
    base = counts["python -c pass"]
    baseline = counts.get("uv-readiness --offline")
    print(f"{'command':30} {'instructions':>14} {'x python':>9} {'x fewer than uv-r':>18}")
    for label, count in counts.items():
        fewer = f"{baseline / count:18.2f}" if baseline else f"{'-':>18}"
        print(f"{label:30} {count / 1e6:12,.0f} M {count / base:9.1f} {fewer}")
    audit = counts["fttrack audit --format table"]
    if baseline:
        speedup = baseline / audit
        print(
            f"goal (fttrack audit --format table): {speedup:.2f}x fewer instructions than "
            f"uv-readiness ≥ {GOAL_SPEEDUP:g}x: {'ok' if speedup >= GOAL_SPEEDUP else 'MISSED'}"
        )


def snapshot_project_count(snapshot: Path) -> int:
    """How many projects a snapshot holds."""
    from tracker.verdicts.snapshot import SnapshotSource

    return len(SnapshotSource(snapshot).summaries())


def _best_of(function: Callable[[str], Any], text: str, runs: int) -> float:
    function(text)
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return best


def _deep_nesting_outcome(module: str, function: str) -> str:
    """What parsing ``x = [[[...`` (100,000 deep) does, in a child process."""
    code = (
        f"import {module}\n"
        "try:\n"
        f"    {module}.{function}('x = ' + '[' * 100_000)\n"
        "except RecursionError:\n    print('RecursionError')\n"
        "except Exception as exc:\n    print(type(exc).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode < 0:
        return f"crashes (signal {-done.returncode})"
    return f"raises {done.stdout.strip()}" if done.returncode == 0 else f"exit {done.returncode}"


def compare_toml_parsers(lock: Path, runs: int) -> None:
    """Print each importable TOML parser's time on ``lock`` as a ratio to tomllib's."""
    text = lock.read_text()
    reference = importlib.import_module("tomllib").loads(text)
    print(f"input: {lock} ({len(text) / 1e6:.2f} MB, {len(reference.get('package', []))} packages)")
    print(f"{'parser':10} {'version':9} {'best ms':>8} {'x faster':>9}  same  deep nesting")
    base = None
    for module_name, function_name in TOML_PARSERS.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            print(f"{module_name:10} not installed")
            continue
        function = getattr(module, function_name)
        best = _best_of(function, text, runs)
        base = base or best
        same = "yes" if function(text) == reference else "NO"
        version = str(getattr(module, "__version__", "stdlib" if module_name == "tomllib" else "?"))
        deep = _deep_nesting_outcome(module_name, function_name)
        print(
            f"{module_name:10} {version:9} {best * 1e3:8.1f} {base / best:9.1f}  {same:4}  {deep}"
        )


#: The goals of the audit on the large real lock.
GOAL_WALL = 0.15
GOAL_SPEEDUP = 4.0
GOAL_RSS_MIB = 40.0


def _newest_python() -> str:
    """The newest interpreter >= 3.12 at hand: one fttrack installed, else ``python3.1x``
    on ``PATH``."""
    fttrack = Path(sys.executable).with_name("fttrack")
    if fttrack.exists():
        listed = subprocess.run(
            [str(fttrack), "python", "list", "--json"], capture_output=True, text=True
        )
        if listed.returncode == 0:
            pythons = [p["path"] for p in json.loads(listed.stdout or "[]")]
            if pythons:
                return str(pythons[0])
    for minor in range(20, 11, -1):
        found = shutil.which(f"python3.{minor}")
        if found:
            return found
    raise SystemExit("uv-readiness needs Python >= 3.12: run 'fttrack python install 3.14t'")


def make_uv_readiness(directory: Path) -> str:
    """pip-install uv-readiness into a throwaway virtualenv (Python >= 3.12 needed: this
    one when it is new enough, else :func:`_newest_python`) and return its executable."""
    python = sys.executable if sys.version_info >= (3, 12) else _newest_python()
    venv = directory / "uv-readiness-venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin/python"), "-m", "pip", "install", "-q", "uv-readiness"], check=True
    )
    return str(venv / "bin/uv-readiness")


def _goals(audit: dict[str, float], baseline: dict[str, float] | None) -> str:
    marks = [
        f"wall {audit['median']:.3f}s ≤ {GOAL_WALL}s: {'ok' if audit['median'] <= GOAL_WALL else 'MISSED'}",
        f"peak {audit['rss_mib']:.1f} MiB ≤ {GOAL_RSS_MIB:g}: "
        f"{'ok' if audit['rss_mib'] <= GOAL_RSS_MIB else 'MISSED'}",
    ]
    if baseline is not None:
        speedup = baseline["median"] / audit["median"]
        marks.append(
            f"{speedup:.1f}x faster than uv-readiness ≥ {GOAL_SPEEDUP:g}x: "
            f"{'ok' if speedup >= GOAL_SPEEDUP else 'MISSED'}"
        )
    return "; ".join(marks)


def main() -> None:
    """Run the benchmark and print a table with ratios to the baselines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--deps", type=int, default=500)
    parser.add_argument("--uv-readiness", default=shutil.which("uv-readiness"))
    parser.add_argument(
        "--make-uv-readiness",
        action="store_true",
        help="install uv-readiness into a throwaway virtualenv for this run",
    )
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="a generated lock (--deps) and snapshot (--projects) instead of the real lock",
    )
    parser.add_argument(
        "--real",
        action="store_true",
        help="audit the most downloaded projects against the shipped snapshot instead",
    )
    parser.add_argument("--toml", action="store_true", help="compare TOML parsers instead")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count each command's instructions (valgrind) instead of timing it",
    )
    parser.add_argument("--lock", type=Path, default=LARGE_LOCK, help="the real uv.lock to audit")
    args = parser.parse_args()
    if args.toml:
        compare_toml_parsers(args.lock, max(args.runs, 5))
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.make_uv_readiness:
            args.uv_readiness = make_uv_readiness(Path(tmp))
        project = Path(tmp) / "project"
        project.mkdir()
        if args.real:
            snapshot, lock = write_real_inputs(project, args.deps)
            args.projects = snapshot_project_count(snapshot)
            what = f"uv.lock of the {args.deps} most downloaded tracked projects"
        elif args.synthetic:
            snapshot, lock = write_inputs(project, args.projects, args.deps)
            what = f"generated uv.lock of {args.deps} packages"
        else:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from tracker.datafiles import snapshot_path

            snapshot = Path(os.environ.get("FTTRACK_SNAPSHOT") or snapshot_path())
            args.projects = snapshot_project_count(snapshot)
            lock = project / "uv.lock"
            shutil.copyfile(args.lock, lock)
            from tracker.audit.sources import open_source

            count = len(list(open_source(str(lock)).source))
            what = f"{args.lock} ({count} packages, {lock.stat().st_size / 1e6:.2f} MB)"
        env = dict(
            os.environ,
            FTTRACK_SNAPSHOT=str(snapshot),
            NO_COLOR="1",
            PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"),
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        fttrack = [str(Path(sys.executable).with_name("fttrack"))]
        commands: list[tuple[str, list[str]]] = [("python -c pass", [sys.executable, "-c", "pass"])]
        if args.uv_readiness:
            argv = [args.uv_readiness, "--offline", "--project", str(project), "3.14t"]
            commands.append(("uv-readiness --offline", argv))
        for fmt in ("table", "json"):
            argv = [*fttrack, "audit", str(lock), "--format", fmt, "--target", "3.14t"]
            commands.append((f"fttrack audit --format {fmt}", argv))
        if args.instructions:
            print(f"input: {what}; snapshot: {snapshot.name} ({args.projects} projects)")
            if not args.uv_readiness:
                print("baseline uv-readiness: not installed (--make-uv-readiness); skipped")
            print_instructions(commands, env)
            return
        rows = measure_all(commands, args.runs, env)
        measured = dict(rows)
        baseline = measured.get("uv-readiness --offline")
        print(f"input: {what}; snapshot: {snapshot.name} ({args.projects} projects, "
              f"{snapshot.stat().st_size / 1e6:.1f} MB); {args.runs} runs each, taking turns")  # fmt: skip
        if not args.uv_readiness:
            print("baseline uv-readiness: not installed (--make-uv-readiness); skipped")
        base = rows[0][1]["median"]
        print(
            f"{'command':30} {'median s':>9} {'best s':>8} {'peak MiB':>9} {'x python':>9} "
            f"{'x uv-r':>7} {'x uv-r, start-up aside':>23} rc"
        )
        for label, row in rows:
            speedup = f"{baseline['median'] / row['median']:7.1f}" if baseline else f"{'-':>7}"
            beyond = f"{'-':>23}"
            if baseline and row["median"] > base:
                ratio = (baseline["median"] - base) / (row["median"] - base)
                beyond = f"{ratio:23.1f}"
            print(
                f"{label:30} {row['median']:9.3f} {row['best']:8.3f} {row['rss_mib']:9.1f} "
                f"{row['median'] / base:9.1f} {speedup} {beyond} {int(row['rc'])}"
            )
        print(
            "goals (fttrack audit --format table): "
            + _goals(measured["fttrack audit --format table"], baseline)
        )


if __name__ == "__main__":
    main()
