"""Decoding the real snapshot's project documents: msgspec structs against pydantic models.

The typed project document (:mod:`tracker.documents`) had to be msgspec or
pydantic. This benchmark decides on the data a user has: every project
document of the shipped snapshot (its members, decompressed once up front),
decoded into typed objects by each library, against ``json.loads`` into
plain dicts as the baseline; and the import time of each library against
``python -c pass``. It prints medians of several runs and ratios.

    python bench/document_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pydantic import BaseModel, TypeAdapter  # noqa: E402

from tracker.archive import Archive  # noqa: E402
from tracker.datafiles import snapshot_path  # noqa: E402
from tracker.documents import ProjectDocument, encode  # noqa: E402


class _Culprit(BaseModel):
    module: str
    owner: str = ""


class _Module(BaseModel):
    name: str
    outcome: str
    detail: str = ""
    owner: str = ""
    optional: bool = False


class _Probe(BaseModel):
    interpreter: str = ""
    sandbox: str = ""
    platform: str = ""
    modules: list[_Module] = []
    timings: dict[str, float] = {}
    stderr_tail: str = ""
    detail: str = ""


class _Verdict(BaseModel):
    status: str
    evidence: str = "tags"
    platforms: list[str] = []
    culprits: list[_Culprit] = []
    probed_at: str | None = None
    probe: _Probe | None = None
    inferred_from: str | None = None


class _Release(BaseModel):
    version: str
    yanked: bool = False
    uploaded: str | None = None
    targets: dict[str, _Verdict] = {}


class _Project(BaseModel):
    """The project document as pydantic models (the summary left as a plain mapping)."""

    name: str
    display_name: str = ""
    classifier: str | None = None
    watch_reason: str | None = None
    releases: list[_Release] = []
    summary: dict[str, Any] | None = None


def _median(runs: int, work: Any) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _import_time(statement: str, runs: int) -> float:
    def once() -> None:
        subprocess.run([sys.executable, "-c", statement], check=True)

    return _median(runs, once)


def main() -> None:
    """Run the comparison and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--snapshot", type=Path, default=snapshot_path())
    args = parser.parse_args()
    archive = Archive(args.snapshot)
    members = [encode(d) for d in archive.documents()]  # the members' exact JSON
    size = sum(len(m) for m in members) / 2**20
    print(f"{len(members)} project documents of {args.snapshot.name}, {size:.1f} MiB of JSON")

    import msgspec

    decoder = msgspec.json.Decoder(ProjectDocument)
    adapter = TypeAdapter(_Project)
    results = {
        "json.loads (dicts, baseline)": _median(
            args.runs, lambda: [json.loads(m) for m in members]
        ),
        "msgspec structs": _median(args.runs, lambda: [decoder.decode(m) for m in members]),
        "pydantic models": _median(args.runs, lambda: [adapter.validate_json(m) for m in members]),
    }
    base = results["json.loads (dicts, baseline)"]
    print(f"{'decode every document':32} {'median':>9} {'vs json.loads':>14}")
    for label, seconds in results.items():
        print(f"{label:32} {seconds:8.3f}s {seconds / base:13.2f}x")
    bare = _import_time("pass", args.runs)
    imports = {
        "msgspec": _import_time("import msgspec, msgspec.json", args.runs) - bare,
        "pydantic": _import_time("import pydantic; pydantic.TypeAdapter(int)", args.runs) - bare,
    }
    print(f"{'import (beyond python -c pass)':32} {'median':>9}")
    for label, seconds in imports.items():
        print(f"{label:32} {seconds * 1000:7.0f}ms")
    ratio = results["pydantic models"] / results["msgspec structs"]
    print(f"msgspec decodes the real snapshot {ratio:.1f}x faster than pydantic")


if __name__ == "__main__":
    main()
