"""Build the verdict snapshot shipped in ``data/``: crawl, probe, export.

Resumable by construction: everything lives in a work database (SQLite by
default, seeded from the current snapshot when new), a crawl skips unchanged
projects, a probe is skipped when the release already has one for the
target, and the snapshot file is rewritten (atomically) every few probes. Stop
it at any time and run it again to carry on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from tracker.archive import write_archive
from tracker.documents import ProjectDocument, ProjectSummary, summarized
from tracker.models import Evidence, ProbeJob
from tracker.probe.sandbox import Limits
from tracker.store.engine import Store
from tracker.wheels import DEFAULT_PLATFORM

__all__ = ["LARGE_LIMITS", "JobPlan", "carry_probes", "directory_size", "job_wheel_sizes",
           "newest_wheel_sizes", "plan_jobs", "run_stress_phase", "stress_jobs",
           "write_snapshot"]  # fmt: skip

_MB = 1024 * 1024
_GIB = 1024 * _MB

#: The budget of a probe that installs a large wheel (torch, triton and what
#: requires them): their imports map gigabytes of shared libraries and take a while.
LARGE_LIMITS = Limits(
    wall_seconds=900.0,
    idle_seconds=600.0,
    cpu_seconds=900,
    address_space_bytes=64 * _GIB,
    memory_bytes=12 * _GIB,
)


@dataclass
class JobPlan:
    """The probe jobs of a build, split by the size of what they install."""

    #: Run in the pool, several at a time, with the default limits.
    regular: list[ProbeJob] = field(default_factory=list)
    #: Wheel over the large-wheel size (or requiring such a release): run one at a
    #: time after the others, with :data:`LARGE_LIMITS`.
    large: list[ProbeJob] = field(default_factory=list)
    #: Wheel over the hard limit (or requiring such a release): not probed.
    skipped: list[ProbeJob] = field(default_factory=list)


def plan_jobs(
    jobs: list[ProbeJob],
    sizes: Mapping[ProbeJob, int | None],
    requires: Mapping[str, Iterable[str]],
    dependency_sizes: Mapping[tuple[str, str], int],
    *,
    large_bytes: int,
    max_bytes: int,
) -> JobPlan:
    """Split ``jobs`` by what a probe installs: its own wheel (``sizes``) and, through
    ``requires`` (followed transitively), the wheel each dependency installs on the
    job's target (``dependency_sizes``, by project and target: see
    :func:`newest_wheel_sizes`). Order is kept inside each part.

    >>> job = lambda name: ProbeJob(name, "1.0", "3.14t")
    >>> plan = plan_jobs(
    ...     [job("torchvision"), job("kornia-x"), job("six"), job("huge")],
    ...     {job("torchvision"): 9, job("huge"): 5000},
    ...     {"torchvision": ["torch"], "kornia-x": ["torchvision"]},
    ...     {("torch", "3.14t"): 900},
    ...     large_bytes=150, max_bytes=4000,
    ... )
    >>> [[j.project for j in part] for part in (plan.regular, plan.large, plan.skipped)]
    [['six'], ['torchvision', 'kornia-x'], ['huge']]
    """
    known: dict[tuple[str, str], int] = {}

    def installs(project: str, target: str, visiting: frozenset[str]) -> int:
        """The largest wheel installing ``project`` on ``target`` brings, itself included."""
        key = (project, target)
        if key not in known:
            deps = [d for d in requires.get(project, ()) if d not in visiting]
            known[key] = max(
                [dependency_sizes.get(key, 0)]
                + [installs(dep, target, visiting | {dep}) for dep in deps]
            )
        return known[key]

    plan = JobPlan()
    for job in jobs:
        size = max(
            [sizes.get(job) or 0]
            + [installs(dep, job.target, frozenset({job.project, dep}))
               for dep in requires.get(job.project, ())]
        )  # fmt: skip
        if size > max_bytes:
            plan.skipped.append(job)
        elif size > large_bytes:
            plan.large.append(job)
        else:
            plan.regular.append(job)
    return plan


def newest_wheel_sizes(
    store: Store, names: Iterable[str], targets: Iterable[str]
) -> dict[tuple[str, str], int]:
    """For each project of ``names`` and each target: the size of the largest
    free-threaded wheel for this platform in the newest release that has one, what
    installing the project as a dependency downloads (absent: none, or unknown)."""
    from packaging.version import InvalidVersion, Version

    found: dict[tuple[str, str], tuple[Version, int]] = {}
    for (name, version), by_target in store.release_wheel_sizes(
        names, targets, DEFAULT_PLATFORM
    ).items():
        try:
            parsed = Version(version)
        except InvalidVersion:
            continue
        for target, size in by_target.items():
            seen = found.get((name, target))
            if seen is None or parsed > seen[0]:
                found[(name, target)] = (parsed, size)
    return {key: size for key, (_version, size) in found.items()}


def directory_size(path: Path) -> int:
    """Bytes held by the files under ``path`` (0 when it does not exist)."""
    if not path.is_dir():
        return 0
    total = 0
    for file in path.rglob("*"):
        try:
            if file.is_file() and not file.is_symlink():
                total += file.stat().st_size
        except OSError:  # removed meanwhile
            continue
    return total


def write_snapshot(store: Store, path: Path) -> list[ProjectSummary]:
    """Write every stored project document to the snapshot at ``path`` (with its
    summaries and member index, see :mod:`tracker.archive`); return the summaries."""
    generated = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return write_archive(path, store.documents(), generated=generated)


def job_wheel_sizes(store: Store, jobs: Iterable[ProbeJob]) -> dict[ProbeJob, int | None]:
    """The size in bytes of the free-threaded wheel each job would install: 0 when the
    release has no such wheel, None when its files are not stored (a project seeded
    from a snapshot and not crawled since: the snapshot keeps no file list)."""
    jobs = list(jobs)
    sizes = store.release_wheel_sizes(
        {j.project for j in jobs}, {j.target for j in jobs}, DEFAULT_PLATFORM
    )
    found: dict[ProbeJob, int | None] = {}
    for job in jobs:
        by_target = sizes.get((job.project, job.version))
        found[job] = None if by_target is None else by_target.get(job.target, 0)
    return found


def carry_probes(document: ProjectDocument, other: ProjectDocument) -> int:
    """Take into ``document`` the probe verdicts of ``other`` (the same project in
    another snapshot, e.g. one a build wrote from its work database) that are newer:
    for each release both hold and each target, ``other``'s verdict replaces the
    one in ``document`` when it rests on a probe and ``document``'s does not, or on
    a later one. A newer stress result (``stress``, its own tests in threads) is
    taken the same way, onto the verdict kept. Releases only ``other`` holds are
    left out. The summary is computed again when anything was taken; returns how
    many verdicts (or stress results) were.

    >>> from tracker.documents import ReleaseDocument, TargetVerdict
    >>> from tracker.models import Status
    >>> tags = ReleaseDocument("1.0", targets={"3.14t": TargetVerdict(Status.SDIST_ONLY)})
    >>> probed = ReleaseDocument("1.0", targets={"3.14t": TargetVerdict(
    ...     Status.PURE, Evidence.PROBE, probed_at="2026-12-06T22:00:00Z")})
    >>> base = ProjectDocument("ftx", releases=[tags])
    >>> carry_probes(base, ProjectDocument("ftx", releases=[probed]))
    1
    >>> base.releases[0].targets["3.14t"].status.value, base.summary.cell("3.14t").status.value
    ('pure', 'pure')
    >>> carry_probes(base, ProjectDocument("ftx", releases=[probed]))  # nothing newer
    0
    >>> from tracker.stress.result import StressBlock, StressStatus
    >>> block = StressBlock(StressStatus.PASSED, stressed_at="2026-12-07T01:00:00Z")
    >>> stressed = ReleaseDocument("1.0", targets={"3.14t": msgspec.structs.replace(
    ...     probed.targets["3.14t"], stress=block)})
    >>> carry_probes(base, ProjectDocument("ftx", releases=[stressed]))
    1
    >>> base.summary.cell("3.14t").stress.status.value
    'passed'
    """
    theirs = {release.version: release for release in other.releases}
    carried = 0
    for release in document.releases:
        found = theirs.get(release.version)
        if found is None:
            continue
        for target, verdict in found.targets.items():
            if verdict.evidence is not Evidence.PROBE:
                continue
            own = release.targets.get(target)
            if (
                own is None
                or own.evidence is not Evidence.PROBE
                or _when(verdict.probed_at) > _when(own.probed_at)
            ):
                release.targets[target] = own = verdict
                carried += 1
            newer = verdict.stress
            if newer is not None and (
                own.stress is None or _when(newer.stressed_at) > _when(own.stress.stressed_at)
            ):
                release.targets[target] = msgspec.structs.replace(own, stress=newer)
                carried += 1
    if carried:
        summarized(document)
    return carried


def stress_jobs(
    store: Store, target: str, names: Iterable[str], *, again: Iterable[str] = ()
) -> list[ProbeJob]:
    """The stress phase's jobs, in the order of ``names`` (the most downloaded first):
    each project's current release, probed ``ready`` on ``target`` itself, with
    extension modules of its own (binary wheels; a pure release probed for its
    dependencies is left out), and no stress result yet (or one whose status is in
    ``again``).

    Resumable by construction: a release stressed by an earlier run has a result
    and is not a job again."""
    wanted = {job.project: job for job in store.stress_candidates([target], again=again)}
    order = [n for n in dict.fromkeys(names) if n in wanted]
    jobs: list[ProbeJob] = []
    for document in store.documents(order):
        job = wanted[document.name]
        release = next((r for r in document.releases if r.version == job.version), None)
        verdict = release.targets.get(target) if release is not None else None
        if (
            verdict is not None
            and verdict.probe is not None
            and verdict.probe.modules
            and not verdict.pure_release
        ):
            jobs.append(job)
    rank = {name: index for index, name in enumerate(order)}
    return sorted(jobs, key=lambda job: rank[job.project])


def run_stress_phase(
    store: Store,
    jobs: Iterable[ProbeJob],
    run: Callable[[ProbeJob], object],
    *,
    snapshot: Path | None = None,
    write_every: int = 10,
    workers: int = 1,
    advance: Callable[[str], None] = lambda message: None,
) -> Counter[str]:
    """Run ``run(job)`` (a stress job that stores its result: :func:`tracker.jobs.run_stress_job`)
    for each job, ``workers`` at a time, rewriting ``snapshot`` every ``write_every``
    results and at the end; returns how many ran, by their status. A job that raises is
    reported to ``advance`` and left for the next run.

    Ctrl-C cancels the jobs not started, lets the running ones finish (their results
    are stored), writes the snapshot and raises KeyboardInterrupt again."""
    ran: Counter[str] = Counter()
    with ThreadPoolExecutor(max(1, workers)) as pool:
        futures = {pool.submit(run, job): job for job in jobs}
        try:
            for future in as_completed(futures):
                job = futures[future]
                where = f"{job.project} {job.version} {job.target}"
                try:
                    result = future.result()
                except Exception as exc:  # one release must not stop the phase
                    advance(f"{where}: not run ({exc})")
                    continue
                status = str(getattr(result, "status", "?"))
                ran[status] += 1
                advance(f"{where}: {status}")
                if snapshot is not None and ran.total() % write_every == 0:
                    write_snapshot(store, snapshot)
        except KeyboardInterrupt:
            pool.shutdown(wait=True, cancel_futures=True)
            if snapshot is not None and ran:
                write_snapshot(store, snapshot)
            raise
    if snapshot is not None and ran:
        write_snapshot(store, snapshot)
    return ran


def _when(stamp: str | None) -> datetime:
    """An ISO time (``Z`` or ``+00:00``), the earliest one when absent or unreadable."""
    try:
        parsed = datetime.fromisoformat(stamp or "")
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
