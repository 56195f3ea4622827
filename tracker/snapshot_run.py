"""One run of the snapshot build: crawl, plan, probe in passes, write the snapshot.

``fttrack snapshot build`` parses its options into :class:`BuildOptions`, opens
the work database and hands both to :func:`build_snapshot`, which tells a
:class:`BuildReport` (the command's progress bars and lines) what happens. The
pieces it stands on (the plan by wheel size, the snapshot file) are in
:mod:`tracker.snapshot_build`.

A probe can make a new candidate: a "first ready" release that re-enables the
GIL (or fails to import) hands the title to a newer one (inference from the
nearest probe puts it about halfway to the next probed ready release, so the
search halves each pass). Follow-up passes probe those, in the regular phase
and in the large one, so one run leaves nothing it could probe behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Protocol

from tracker.config import Settings
from tracker.crawl import crawl_once, probe_candidates
from tracker.jobs import is_sdist_only, run_probe_job, run_stress_job
from tracker.models import ProbeJob
from tracker.probe.runner import shared_wheel_cache
from tracker.probe.sandbox import Limits
from tracker.snapshot_build import (
    LARGE_LIMITS,
    JobPlan,
    directory_size,
    job_wheel_sizes,
    newest_wheel_sizes,
    plan_jobs,
    run_stress_phase,
    stress_jobs,
    write_snapshot,
)
from tracker.store.engine import Store
from tracker.vocabulary import default_stress_targets

__all__ = ["FOLLOW_UP_PASSES", "BuildOptions", "BuildReport", "BuildResult", "build_snapshot"]

#: Passes after the first, each probing the candidates the one before made; a
#: first-ready search over 256 releases ends within eight.
FOLLOW_UP_PASSES = 8

_MB = 1024 * 1024

#: Advances a progress bar by one, with a description of what was just done.
Advance = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    """What to build: the options of ``fttrack snapshot build``, by their names there."""

    targets: tuple[str, ...]
    output: Path
    probe_workers: int = 2
    large_workers: int = 1
    large_wheel_mb: int = 150
    max_wheel_mb: int = 4000
    max_probes: int | None = None
    no_crawl: bool = False
    save_every: int = 20
    reprobe: tuple[str, ...] = ()
    dependents: bool = True
    refresh_metadata: bool = False
    #: ``all``, ``regular``, ``large``, ``sdist`` or ``stress``.
    phase: str = "all"
    sdists: bool = True
    #: Targets whose current ready releases get their own tests run in threads.
    stress_targets: tuple[str, ...] = default_stress_targets()
    stress_workers: int = 1
    #: One stress run's time limit (seconds): a bigger suite runs a subset.
    stress_budget: int = 600
    #: Stress again current releases whose newest stress result has one of these statuses.
    restress: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildResult:
    """What a build did: projects written, probes run, seconds since probing began."""

    projects: int
    probes: int
    seconds: float


class BuildReport(Protocol):
    """What a build tells its front end."""

    def bar(self, phase: str, total: int, *, keep: bool) -> AbstractContextManager[Advance]:
        """A progress bar of ``total`` steps labelled ``phase`` (``keep``: left on screen)."""
        ...

    def news(self, label: str, text: str) -> None:
        """A step finished: ``label`` (crawl, large wheels) and what it did."""
        ...

    def note(self, text: str) -> None:
        """A line of information."""
        ...

    def failed(self, job: ProbeJob, error: Exception) -> None:
        """A probe job raised (the build goes on)."""
        ...

    def interrupted(self) -> None:
        """Ctrl-C or SIGTERM: the running probes finished and are stored."""
        ...


def build_snapshot(
    store: Store, settings: Settings, names: Sequence[str], options: BuildOptions,
    report: BuildReport,
) -> BuildResult:  # fmt: skip
    """Watch ``names``, crawl them, probe what the options ask for, write the snapshot.

    Resumable and safe to stop (KeyboardInterrupt: running probes finish, the
    snapshot is written): the work database ``store`` keeps every crawl and probe,
    and the snapshot file is rewritten every ``save_every`` probes and at the end.
    """
    build = _Build(store, settings, list(names), options, report)
    store.add_to_watchlist(build.names, "seed")
    if not options.no_crawl:
        build.crawl(build.names, phase="crawl", label="crawl", force=options.refresh_metadata)
    started = time.monotonic()
    finished = True
    if options.phase != "stress":
        plan = build.first_plan()
        finished, plan = build.passes(plan, "regular", workers=options.probe_workers)
        if finished and options.phase != "regular" and plan.regular:
            # Planned again after probes ran: that may have taken hours, and another
            # build on the same work database may have probed some of these.
            plan = build.plan()
        if finished and options.phase != "regular" and plan.large:
            finished = build.large_passes(plan)
    if finished and options.phase in ("all", "stress"):
        build.stress()
    summaries = write_snapshot(store, options.output)
    return BuildResult(len(summaries), build.done, time.monotonic() - started)


class _Build:
    """The state of one build: its store, names, options and probes done so far."""

    def __init__(
        self, store: Store, settings: Settings, names: list[str], options: BuildOptions,
        report: BuildReport,
    ) -> None:  # fmt: skip
        self.store, self.settings, self.names = store, settings, names
        self.options, self.report = options, report
        self.done = 0
        #: Probes the last :meth:`passes` planned, in all its passes.
        self.planned = 0
        self.requires: dict[str, list[str]] = {}

    def crawl(self, names: list[str], *, phase: str, label: str | None, force: bool) -> None:
        """Crawl ``names`` behind a passing progress bar; report the crawl under ``label``."""
        with self.report.bar(phase, len(names), keep=False) as advance:
            crawled = crawl_once(
                names, self.store, index_url=self.settings.index_url,
                concurrency=self.settings.concurrency, force=force, progress=advance,
            )  # fmt: skip
        if label is not None:
            self.report.news(label, crawled.summary())

    def candidates(self) -> list[ProbeJob]:
        """The probe jobs the options ask for, as the store stands now."""
        options, store = self.options, self.store
        if options.phase == "sdist":
            found = probe_candidates(store, options.targets, names=self.names, sdist_builds=True)
            return [job for job in found if is_sdist_only(job, store)]
        return probe_candidates(
            store, options.targets, names=self.names, again=options.reprobe,
            newest_with_wheel=True, pure_with_binary_deps=options.dependents,
            first_ready_releases=True, sdist_builds=options.sdists,
        )  # fmt: skip

    def first_plan(self) -> JobPlan:
        """The first plan: wheel sizes fetched where unknown, the counts told."""
        options, jobs = self.options, self.candidates()
        sizes = job_wheel_sizes(self.store, jobs)
        unsized = sorted({job.project for job in jobs if sizes[job] is None})
        if unsized and options.no_crawl:
            self.report.note(
                f"{len(unsized)} project(s) with unknown wheel sizes (seeded from a snapshot, "
                "which keeps no file list) are probed as small ones: run without --no-crawl "
                "to fetch their files first"
            )
        elif unsized:
            # Seeded from a snapshot, which keeps no file list: fetch their files to
            # learn how large a probe of them is.
            self.crawl(unsized, phase="file sizes", label=None, force=True)
            jobs = self.candidates()
            sizes = job_wheel_sizes(self.store, jobs)
        self.requires = self.store.project_requires(self.names)
        plan = self.plan(jobs, sizes)
        self.report.note(
            f"{len(plan.regular) + len(plan.large)} probe(s) to run, {len(plan.large)} of them "
            f"over {options.large_wheel_mb} MB (run last, {options.large_workers} at a time); "
            f"{len(plan.skipped)} skipped as larger than {options.max_wheel_mb} MB "
            "(or requiring such a release)"
        )
        if options.phase == "large":
            plan.regular = []
        return plan

    def plan(
        self, jobs: list[ProbeJob] | None = None, sizes: dict[ProbeJob, int | None] | None = None
    ) -> JobPlan:
        """``jobs`` (default: the candidates now) split by size (``sizes``, default: read
        from the store), cut to what ``max_probes`` leaves."""
        options = self.options
        jobs = self.candidates() if jobs is None else jobs
        sizes = job_wheel_sizes(self.store, jobs) if sizes is None else sizes
        dependencies = {dep for deps in self.requires.values() for dep in deps}
        plan = plan_jobs(
            jobs, sizes, self.requires,
            newest_wheel_sizes(self.store, dependencies, options.targets),
            large_bytes=options.large_wheel_mb * _MB, max_bytes=options.max_wheel_mb * _MB,
        )  # fmt: skip
        if options.max_probes is not None:
            room = max(0, options.max_probes - self.done)
            plan.regular = plan.regular[:room]
            plan.large = plan.large[: max(0, room - len(plan.regular))]
        return plan

    def passes(
        self, plan: JobPlan, part: str, *, workers: int, limits: Limits | None = None
    ) -> tuple[bool, JobPlan]:
        """Probe the ``part`` (``regular`` or ``large``) of ``plan``, then of each new
        plan while the last pass ran probes: whether no stop came, and the last plan."""
        pick: Callable[[JobPlan], list[ProbeJob]] = attrgetter(part)
        first, later = ("probe", "pass") if part == "regular" else ("large", "large pass")
        self.planned = 0
        for number in range(1, FOLLOW_UP_PASSES + 2):
            if number > 1:
                plan = self.plan()
                if not pick(plan):
                    break
                self.report.note(
                    f"{later} {number}: {len(pick(plan))} probe(s) the last pass asked for"
                )
            self.planned += len(pick(plan))
            label = first if number == 1 else f"{later} {number}"
            if not self.probe(pick(plan), workers=workers, phase=label, limits=limits):
                return False, plan
            if not pick(plan):
                break  # nothing ran: nothing new to ask for
        return True, plan

    def large_passes(self, plan: JobPlan) -> bool:
        """The large-wheel probes, with what they cost in time and wheel cache; whether
        no stop came."""
        wheel_cache = shared_wheel_cache(self.settings.uv_cache_dir)
        cache_before = directory_size(wheel_cache)
        started, done_before = time.monotonic(), self.done
        finished, _ = self.passes(
            plan, "large", workers=self.options.large_workers, limits=LARGE_LIMITS
        )
        grown = (directory_size(wheel_cache) - cache_before) / 1e9
        self.report.news(
            "large wheels",
            f"{self.done - done_before} of {self.planned} probe(s) in "
            f"{time.monotonic() - started:.0f}s; wheel cache {wheel_cache} grew by {grown:.1f} GB",
        )
        return finished

    def stress(self) -> None:
        """Run the own tests of each current ready release with extension modules, on
        the stress targets, most downloaded first (docs/stress.md); counts by status."""
        options = self.options
        jobs = [job for target in options.stress_targets
                for job in stress_jobs(self.store, target, self.names,
                                       again=options.restress)]  # fmt: skip
        if options.max_probes is not None:
            jobs = jobs[: max(0, options.max_probes - self.done)]
        self.report.note(
            f"{len(jobs)} release(s) to stress on {', '.join(options.stress_targets)} "
            f"({options.stress_workers} at a time, {options.stress_budget} s each at most)"
        )
        if not jobs:
            return
        started = time.monotonic()

        def run(job: ProbeJob) -> object:
            return run_stress_job(job, self.store, self.settings,
                                  budget_seconds=options.stress_budget)  # fmt: skip

        with self.report.bar("stress", len(jobs), keep=True) as advance:
            try:
                ran = run_stress_phase(
                    self.store, jobs, run, snapshot=options.output,
                    write_every=options.save_every, workers=options.stress_workers,
                    advance=advance,
                )  # fmt: skip
            except KeyboardInterrupt:
                self.report.interrupted()
                return
        self.done += ran.total()
        hours = max(time.monotonic() - started, 1.0) / 3600
        counts = ", ".join(f"{n} {status}" for status, n in ran.most_common())
        self.report.news(
            "stress",
            f"{ran.total()} of {len(jobs)} release(s) in {hours * 60:.0f} min "
            f"({ran.total() / hours:.0f} per hour): {counts or 'none'}",
        )

    def probe(
        self, jobs: list[ProbeJob], *, workers: int, phase: str, limits: Limits | None
    ) -> bool:
        """Probe ``jobs``, ``workers`` at a time, rewriting the snapshot every
        ``save_every`` probes; False when interrupted (KeyboardInterrupt)."""
        if not jobs:
            return True
        with (
            self.report.bar(phase, len(jobs), keep=True) as advance,
            ThreadPoolExecutor(workers) as pool,
        ):
            futures = {
                pool.submit(run_probe_job, job, self.store, self.settings, limits=limits): job
                for job in jobs
            }
            try:
                for future in as_completed(futures):
                    job = futures[future]
                    try:
                        status = str(future.result().status)
                    except Exception as exc:  # keep going: one job must not end the build
                        status = f"error: {exc}"
                        self.report.failed(job, exc)
                    self.done += 1
                    advance(f"{job.project} {job.target}: {status}")
                    if self.done % self.options.save_every == 0:
                        write_snapshot(self.store, self.options.output)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                self.report.interrupted()
                return False
        return True
