"""Benchmark the index client: concurrent simple-API crawl vs sequential JSON-API crawl,
and a re-crawl of an unchanged set on a loopback index.

    python bench/crawl_bench.py data/top-pypi-packages.txt -n 200

1. Crawl the first N names of the list through :class:`tracker.index.PypiIndex`
   (PEP 691 pages, ``--concurrency`` requests in flight).
2. Crawl the same names one request at a time through the legacy JSON API
   (``{base}/pypi/NAME/json``, the base derived from the simple-API URL).
3. Serve the pages from step 1 on a loopback index (``tests/indexserver.py``)
   and crawl them twice: first in full, then with the serials and ETags of the
   first crawl (the second crawl should transfer no page bodies). Then the same
   against a mirror-like loopback index (no ETag, serial only in the body).

The index URL comes from fttrack's configuration unless ``--index-url`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracker.config import resolve_index_url  # noqa: E402
from tracker.errors import IndexUnavailable, ProjectNotFound  # noqa: E402
from tracker.index import (  # noqa: E402
    USER_AGENT,
    FetchResult,
    ProjectPage,
    PypiIndex,
    Unchanged,
    fetch_many,
)


@dataclass
class Run:
    """One timed crawl."""

    label: str
    seconds: float
    pages: int = 0
    unchanged: int = 0
    not_found: int = 0
    errors: int = 0
    body_bytes: int | None = None

    def line(self) -> str:
        """One human-readable report line."""
        extra = f", {self.body_bytes / 1e6:.2f} MB of bodies" if self.body_bytes is not None else ""
        return (
            f"{self.label:<58} {self.seconds:7.2f} s  pages={self.pages} "
            f"unchanged={self.unchanged} not_found={self.not_found} errors={self.errors}{extra}"
        )


def read_names(path: Path, limit: int) -> list[str]:
    """The first ``limit`` project names of a one-name-per-line list (``#`` comments skipped)."""
    names: list[str] = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.append(line)
        if len(names) >= limit:
            break
    return names


def json_api_base(simple_url: str) -> str:
    """``https://host/simple/`` -> ``https://host/`` (the legacy JSON API lives at ``pypi/``)."""
    parts = urlsplit(simple_url)
    path = parts.path.rstrip("/")
    if path.endswith("/simple"):
        path = path[: -len("/simple")]
    return urlunsplit((parts.scheme, parts.netloc, path + "/", "", ""))


def summarise(
    label: str, seconds: float, results: dict[str, FetchResult | IndexUnavailable]
) -> Run:
    """Count what a crawl produced."""
    run = Run(label, seconds)
    for result in results.values():
        if isinstance(result, ProjectPage):
            run.pages += 1
        elif isinstance(result, Unchanged):
            run.unchanged += 1
        elif isinstance(result, ProjectNotFound):
            run.not_found += 1
        else:
            run.errors += 1
    return run


async def crawl_simple(
    index_url: str,
    names: list[str],
    concurrency: int,
    known: dict[str, tuple[int | None, str | None]] | None = None,
) -> tuple[float, dict[str, FetchResult | IndexUnavailable]]:
    """Time one concurrent simple-API crawl."""
    async with PypiIndex(index_url, concurrency=concurrency) as index:
        started = time.perf_counter()
        results = await fetch_many(index, names, known)
        return time.perf_counter() - started, results


def crawl_json_api_sequential(base: str, names: list[str], timeout: float) -> Run:
    """One GET per project of ``{base}pypi/NAME/json``, strictly one after another."""
    run = Run("sequential JSON API (/pypi/NAME/json)", 0.0)
    started = time.perf_counter()
    with httpx.Client(headers={"User-Agent": USER_AGENT}, timeout=timeout) as client:
        for name in names:
            try:
                response = client.get(f"{base}pypi/{name}/json")
                if response.status_code == 404:
                    run.not_found += 1
                    continue
                response.raise_for_status()
                response.json()
                run.pages += 1
            except (httpx.HTTPError, ValueError):
                run.errors += 1
    run.seconds = time.perf_counter() - started
    return run


def page_document(page: ProjectPage) -> dict[str, Any]:
    """A PEP 691 document equivalent to ``page`` (for serving it on loopback)."""
    return {
        "meta": {"api-version": "1.1", "_last-serial": page.last_serial or 1},
        "name": page.name,
        "versions": list(page.versions),
        "files": [
            {
                "filename": f.filename,
                "url": f.url,
                "hashes": dict(f.hashes),
                "requires-python": f.requires_python,
                "size": f.size,
                "upload-time": f.upload_time.isoformat() if f.upload_time else None,
                "yanked": f.yanked,
            }
            for f in page.files
        ],
    }


class LoopbackIndex:
    """``tests/indexserver.py`` run in a child process (so it does not share our GIL)."""

    def __init__(self, documents: list[dict[str, Any]], *options: str) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="crawl-bench-")
        for number, document in enumerate(documents):
            Path(self._dir.name, f"{number:05d}.json").write_text(json.dumps(document))
        command = [sys.executable, "-m", "testkit.indexserver", "--recorded", self._dir.name]
        self._process = subprocess.Popen(
            [*command, *options], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        self.index_url = self._process.stdout.readline().strip()
        if not self.index_url.startswith("http://127.0.0.1:"):
            self.close()
            raise RuntimeError("the loopback index did not start")
        self._base = self.index_url.removesuffix("simple/")

    def body_bytes(self, *, clear: bool = False) -> int:
        """Body bytes the server sent so far (then empty its log if ``clear``)."""
        stats = httpx.get(self._base + ("_clear" if clear else "_stats"), timeout=10).json()
        return int(stats["body_bytes"])

    def close(self) -> None:
        """Stop the child (closing its stdin) and remove the pages."""
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._dir.cleanup()


def loopback_runs(pages: list[ProjectPage], concurrency: int) -> list[Run]:
    """First crawl and unchanged re-crawl on loopback, real-service style and mirror style."""
    runs: list[Run] = []
    names = [p.name for p in pages]
    documents = [page_document(p) for p in pages]
    for style, options in (
        ("ETag+serial header", ()),
        ("mirror: serial in body only", ("--no-etag", "--no-serial-header")),
    ):
        server = LoopbackIndex(documents, *options)
        try:
            seconds, first = asyncio.run(crawl_simple(server.index_url, names, concurrency))
            run = summarise(f"loopback first crawl ({style})", seconds, first)
            run.body_bytes = server.body_bytes()
            runs.append(run)
            known = {
                n: (r.last_serial, r.etag) for n, r in first.items() if isinstance(r, ProjectPage)
            }
            server.body_bytes(clear=True)
            seconds, second = asyncio.run(crawl_simple(server.index_url, names, concurrency, known))
            run = summarise(f"loopback re-crawl, unchanged ({style})", seconds, second)
            run.body_bytes = server.body_bytes()
            runs.append(run)
        finally:
            server.close()
    return runs


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a report (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", type=Path, help="project list, one name per line")
    parser.add_argument("-n", type=int, default=1000, help="how many names (default 1000)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--index-url", default=None, help="simple-API URL (default: configured)")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--skip-sequential", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args(argv)

    index_url = (args.index_url or resolve_index_url()).rstrip("/") + "/"
    names = read_names(args.names, args.n)
    print(f"{len(names)} projects, concurrency {args.concurrency}")

    seconds, results = asyncio.run(crawl_simple(index_url, names, args.concurrency))
    concurrent = summarise(f"concurrent simple API (PEP 691, {args.concurrency})", seconds, results)
    runs = [concurrent]
    print(concurrent.line())
    if not args.skip_sequential:
        sequential = crawl_json_api_sequential(json_api_base(index_url), names, args.timeout)
        runs.append(sequential)
        print(sequential.line())
        print(f"speed-up, concurrent vs sequential: {sequential.seconds / concurrent.seconds:.1f}x")

    pages = [r for r in results.values() if isinstance(r, ProjectPage)]
    loop_runs = loopback_runs(pages, args.concurrency)
    for run in loop_runs:
        print(run.line())
    for first, second in zip(loop_runs[::2], loop_runs[1::2], strict=True):
        print(
            f"re-crawl / first crawl: {second.seconds / first.seconds:.2f} of the time, "
            f"{(second.body_bytes or 0) / max(first.body_bytes or 1, 1):.4f} of the bytes"
        )
    runs += loop_runs
    if args.json:
        args.json.write_text(json.dumps([run.__dict__ for run in runs], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
