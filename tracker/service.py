"""The tracker service: crawl the watch list, probe what is new, in a bounded pool.

:class:`TrackerService` owns the probe pool and the dedup of queued jobs; timing
lives in :mod:`tracker.schedule` (APScheduler). Each finished probe is stored
in its own transaction the moment it ends, so stopping the service (SIGTERM)
loses no finished result; probes still running are given a grace period.

Stress jobs (a release's own tests in threads, docs/stress.md) come after: a
project's current release whose own import probe is ``ready`` and that has no
stress result is queued (:meth:`~tracker.store.engine.Store.stress_candidates`)
after each crawl and after each probe that finds a release ready. In process,
they run in their own pool (one at a time by default) and each waits until no
import probe is queued or running: probes go first. With the PostgreSQL queue,
``enqueue_stress`` receives them (a lower priority on the same queue).

On shutdown a running stress job is cut short (:mod:`tracker.probe.cancel`): its
sandboxed processes are killed within a second and nothing is recorded for it, so
the next crawl queues it again. Import probes still get their grace period.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from tracker.config import Settings
from tracker.crawl import CrawlReport, crawl_once, probe_candidates
from tracker.errors import Cancelled, FttrackError
from tracker.jobs import run_probe_job, run_stress_job
from tracker.models import ProbeJob, Status
from tracker.probe.cancel import Cancel
from tracker.store.engine import Store

__all__ = ["TrackerService", "load_seed_names"]

log = logging.getLogger("fttrack.service")

#: Seconds :meth:`TrackerService.shutdown` waits for cut stress jobs to unwind.
STRESS_STOP_SECONDS = 10.0


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
    path); then the pool stays unused. ``stress_workers`` and ``enqueue_stress``
    are the same for stress jobs (0: never stress here).
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        targets: Iterable[str],
        probe_workers: int = 1,
        enqueue: Callable[[ProbeJob], object] | None = None,
        stress_workers: int = 1,
        enqueue_stress: Callable[[ProbeJob], object] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.targets = tuple(targets)
        self.enqueue = enqueue
        self._pool = ThreadPoolExecutor(max_workers=probe_workers) if probe_workers > 0 else None
        self._pending: dict[ProbeJob, Future[None]] = {}
        self.enqueue_stress = enqueue_stress
        self._stress_pool = (
            ThreadPoolExecutor(max_workers=stress_workers, thread_name_prefix="stress")
            if stress_workers > 0
            else None
        )
        self._stress_pending: dict[ProbeJob, Future[None]] = {}
        #: Set on shutdown: the running stress jobs are cut short.
        self._stress_cancel = Cancel()
        self._lock = threading.Lock()
        #: Notified whenever a probe ends: stress jobs wait for the probes to drain.
        self._probes_done = threading.Condition(self._lock)
        self._stopping = False
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
            self.queue_stress(self.store.stress_candidates(self.targets, names=wanted))
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

    def queue_stress(self, jobs: Iterable[ProbeJob]) -> int:
        """Queue stress jobs not already queued; returns how many were added."""
        added = 0
        for job in jobs:
            if job.target not in self.targets:
                continue
            if self.enqueue_stress is not None:
                added += self.enqueue_stress(job) is not False  # False: already queued
                continue
            if self._stress_pool is None:
                continue
            with self._lock:
                if job in self._stress_pending or self._stopping:
                    continue
                self._stress_pending[job] = self._stress_pool.submit(self._run_stress, job)
                added += 1
        return added

    def _run(self, job: ProbeJob) -> None:
        ready = False
        try:
            result = run_probe_job(job, self.store, self.settings)
            log.info("probe %s %s %s: %s", job.project, job.version, job.target, result.status)
            ready = result.status is Status.READY
        except FttrackError as exc:
            log.warning("probe %s %s %s not run: %s", job.project, job.version, job.target, exc)
        except Exception:  # one bad job must not kill the pool
            log.exception("probe %s %s %s failed", job.project, job.version, job.target)
        finally:
            with self._lock:
                self._pending.pop(job, None)
                self._probes_done.notify_all()
        if ready:
            try:
                self.queue_stress(self.store.stress_candidates([job.target], names=[job.project]))
            except Exception:  # the probe is stored; the next crawl queues the stress job
                log.exception("stress of %s %s not queued", job.project, job.version)

    def _wait_for_probes(self) -> bool:
        """Block until no import probe is queued or running here; False when stopping."""
        with self._probes_done:
            while self._pending and not self._stopping:
                self._probes_done.wait(timeout=5.0)
            return not self._stopping

    def _run_stress(self, job: ProbeJob) -> None:
        where = f"{job.project} {job.version} {job.target}"
        try:
            if not self._wait_for_probes():
                return
            with self._stress_cancel.scope():
                result = run_stress_job(job, self.store, self.settings)
            log.info("stress %s: %s (%d tests)", where, result.status, result.tests_run)
        except Cancelled:
            log.info("stress %s cut short by the shutdown: nothing recorded", where)
        except FttrackError as exc:
            log.warning("stress %s not run: %s", where, exc)
        except Exception:  # one bad job must not kill the pool
            log.exception("stress %s failed", where)
        finally:
            with self._lock:
                self._stress_pending.pop(job, None)

    @property
    def stress_queued(self) -> int:
        """Stress jobs queued or running in this process."""
        with self._lock:
            return len(self._stress_pending)

    @property
    def queued(self) -> int:
        """Jobs queued or running in this process."""
        with self._lock:
            return len(self._pending)

    def shutdown(
        self, *, grace_seconds: float = 30.0, stress_seconds: float = STRESS_STOP_SECONDS
    ) -> None:
        """Stop taking work; let running probes finish (their results are stored).

        Stress jobs are not waited for: those not started are dropped, a running one
        is cut short (its sandboxed processes killed, nothing recorded) and given
        ``stress_seconds`` to unwind. The next crawl queues them again."""
        with self._probes_done:
            self._stopping = True
            self._probes_done.notify_all()
        if self._stress_pool is not None:
            self._stress_cancel.cancel()
            with self._lock:
                stress_futures = list(self._stress_pending.values())
            for future in stress_futures:
                future.cancel()
            self._stress_pool.shutdown(wait=False, cancel_futures=True)
            deadline = time.monotonic() + stress_seconds
            for future in stress_futures:
                if not future.cancelled():
                    with contextlib.suppress(TimeoutError):  # _run_stress logs its own end
                        future.result(timeout=max(0.0, deadline - time.monotonic()))
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
