"""The tracker service: crawl the watch list, probe what is new, in a bounded pool.

:class:`TrackerService` owns the probe pool and the dedup of queued jobs; timing
lives in :mod:`tracker.schedule` (APScheduler). Each finished probe is stored
in its own transaction the moment it ends, so stopping the service (SIGTERM)
loses no finished result; probes still running are given a grace period.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from tracker.config import Settings
from tracker.crawl import CrawlReport, crawl_once, probe_candidates
from tracker.errors import FttrackError
from tracker.jobs import run_probe_job
from tracker.models import ProbeJob
from tracker.store.engine import Store

__all__ = ["TrackerService", "load_seed_names"]

log = logging.getLogger("fttrack.service")


def load_seed_names(limit: int, path: Path | None = None) -> list[str]:
    """The first ``limit`` names of the seed watch list (most downloaded first).

    >>> load_seed_names(0), len(load_seed_names(3))
    ([], 3)
    """
    from tracker.datafiles import data_file

    path = path or data_file("top-pypi-packages.txt")
    names: list[str] = []
    if limit <= 0 or not path.is_file():
        return names
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.append(line)
            if len(names) >= limit:
                break
    return names


class TrackerService:
    """Crawls and probes for one store.

    ``targets``: the targets this machine can probe (those with an interpreter).
    ``probe_workers``: size of the in-process probe pool. ``enqueue``, when
    given, receives every job instead (the PostgreSQL queue of the scale-out
    path); then the pool stays unused.
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        targets: Iterable[str],
        probe_workers: int = 1,
        enqueue: Callable[[ProbeJob], object] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.targets = tuple(targets)
        self.enqueue = enqueue
        self._pool = ThreadPoolExecutor(max_workers=probe_workers) if probe_workers > 0 else None
        self._pending: dict[ProbeJob, Future[None]] = {}
        self._lock = threading.Lock()
        self._crawl_lock = threading.Lock()
        self.last_crawl: CrawlReport | None = None

    def seed_watchlist(self, top: int) -> list[str]:
        """Put the ``top`` most downloaded projects on an empty watch list."""
        if self.store.watchlist():
            return []
        return self.store.add_to_watchlist(load_seed_names(top), "seed")

    def crawl(self, names: Iterable[str] | None = None) -> CrawlReport:
        """Crawl ``names`` (default: the watch list), then queue probes for what is new."""
        with self._crawl_lock:
            wanted = list(names) if names is not None else [n for n, _ in self.store.watchlist()]
            report = crawl_once(
                wanted,
                self.store,
                index_url=self.settings.index_url,
                concurrency=self.settings.concurrency,
            )
            self.last_crawl = report
            log.info("crawl: %s", report.summary())
            self.queue_probes(
                probe_candidates(self.store, self.targets, names=wanted, sdist_builds=True)
            )
            return report

    def queue_probes(self, jobs: Iterable[ProbeJob]) -> int:
        """Queue jobs not already queued; returns how many were added."""
        added = 0
        for job in jobs:
            if job.target not in self.targets:
                continue
            if self.enqueue is not None:
                added += self.enqueue(job) is not False  # False: already queued
                continue
            if self._pool is None:
                continue
            with self._lock:
                if job in self._pending:
                    continue
                self._pending[job] = self._pool.submit(self._run, job)
                added += 1
        return added

    def _run(self, job: ProbeJob) -> None:
        try:
            result = run_probe_job(job, self.store, self.settings)
            log.info("probe %s %s %s: %s", job.project, job.version, job.target, result.status)
        except FttrackError as exc:
            log.warning("probe %s %s %s not run: %s", job.project, job.version, job.target, exc)
        except Exception:  # one bad job must not kill the pool
            log.exception("probe %s %s %s failed", job.project, job.version, job.target)
        finally:
            with self._lock:
                self._pending.pop(job, None)

    @property
    def queued(self) -> int:
        """Jobs queued or running in this process."""
        with self._lock:
            return len(self._pending)

    def shutdown(self, *, grace_seconds: float = 30.0) -> None:
        """Stop taking work; let running probes finish (their results are stored)."""
        if self._pool is None:
            return
        with self._lock:
            futures = list(self._pending.values())
        for future in futures:
            future.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for future in futures:
            if not future.cancelled():
                with contextlib.suppress(TimeoutError):  # _run logs its own failures
                    future.result(timeout=grace_seconds)
