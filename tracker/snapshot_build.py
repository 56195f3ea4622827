"""Build the verdict snapshot shipped in ``data/``: crawl, probe, export.

Resumable by construction: everything lives in a work database (SQLite by
default, seeded from the current snapshot when new), a crawl skips unchanged
projects, a probe is skipped when the release already has one for the
target, and the snapshot file is rewritten (atomically) every few probes. Stop
it at any time and run it again to carry on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tracker.archive import write_archive
from tracker.documents import ProjectSummary
from tracker.models import ProbeJob
from tracker.probe.sandbox import Limits
from tracker.store.engine import Store
from tracker.wheels import DEFAULT_PLATFORM

__all__ = ["LARGE_LIMITS", "JobPlan", "directory_size", "job_wheel_sizes", "plan_jobs",
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
    *,
    large_bytes: int,
    max_bytes: int,
) -> JobPlan:
    """Split ``jobs`` by wheel size: a job is as large as the largest of its own wheel
    and the wheels of the probed releases it requires (on the same target), since
    installing it installs those too. Order is kept inside each part.

    >>> job = lambda name: ProbeJob(name, "1.0", "3.14t")
    >>> plan = plan_jobs(
    ...     [job("torch"), job("torchvision"), job("six"), job("huge")],
    ...     {job("torch"): 900, job("huge"): 5000},
    ...     {"torchvision": ["torch"]},
    ...     large_bytes=150, max_bytes=4000,
    ... )
    >>> [[j.project for j in part] for part in (plan.regular, plan.large, plan.skipped)]
    [['six'], ['torch', 'torchvision'], ['huge']]
    """
    heaviest: dict[tuple[str, str], int] = {}
    for job in jobs:
        key = (job.project, job.target)
        heaviest[key] = max(heaviest.get(key, 0), sizes.get(job) or 0)
    plan = JobPlan()
    for job in jobs:
        size = max(
            [sizes.get(job) or 0]
            + [heaviest.get((dep, job.target), 0) for dep in requires.get(job.project, ())]
        )
        if size > max_bytes:
            plan.skipped.append(job)
        elif size > large_bytes:
            plan.large.append(job)
        else:
            plan.regular.append(job)
    return plan


def directory_size(path: Path) -> int:
    """Bytes held by the files under ``path`` (0 when it does not exist)."""
    if not path.is_dir():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def write_snapshot(store: Store, path: Path) -> list[ProjectSummary]:
    """Write every stored project document to the snapshot at ``path`` (with its
    summaries and member index, see :mod:`tracker.archive`); return the summaries."""
    generated = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return write_archive(path, store.documents(), generated=generated)


def job_wheel_sizes(store: Store, jobs: Iterable[ProbeJob]) -> dict[ProbeJob, int | None]:
    """The size in bytes of the free-threaded wheel each job would install: 0 when the
    release has no such wheel, None when its files are not stored (a project seeded
    from a snapshot and not crawled since: the snapshot keeps no file list)."""
    from sqlmodel import col, select

    from tracker.store.tables import File, Project, Release

    sizes: dict[ProbeJob, int | None] = {}
    with store.session_scope() as session:
        for job in jobs:
            query = (
                select(File)
                .join(Release, col(File.release_id) == col(Release.id))
                .join(Project, col(Release.project_id) == col(Project.id))
                .where(col(Project.name) == job.project, col(Release.version) == job.version)
            )
            rows = session.exec(query).all()
            sizes[job] = None if not rows else max(
                [row.size or 0 for row in rows
                 if job.target in row.targets and DEFAULT_PLATFORM in row.platforms] or [0]
            )  # fmt: skip
    return sizes
