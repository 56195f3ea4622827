"""A snapshot's self-check: probe a random sample of its probed releases again, compare.

``fttrack snapshot verify --sample N`` picks N (project, version, target)
triples whose verdict a probe decided, probes each again on this machine
(nothing is stored) and reports how many statuses agree. A disagreement is
listed with both statuses: a flaky package, a changed index, or a probe
that changed since.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tracker.documents import ProjectDocument
from tracker.models import Evidence, ProbeJob, ProbeResult, Status

__all__ = ["Check", "VerifyReport", "probed_jobs", "sample_jobs", "verify"]


@dataclass(frozen=True)
class Check:
    """One release probed again: the snapshot's status and today's."""

    job: ProbeJob
    recorded: Status
    now: Status | None
    error: str = ""

    @property
    def agrees(self) -> bool:
        """True when the probe today decided what the snapshot says."""
        return self.now is self.recorded


@dataclass(frozen=True)
class VerifyReport:
    """Every check of one verification run."""

    checks: tuple[Check, ...]

    @property
    def agreed(self) -> int:
        """How many checks agree."""
        return sum(1 for c in self.checks if c.agrees)

    @property
    def errors(self) -> int:
        """How many checks could not probe at all."""
        return sum(1 for c in self.checks if c.now is None)

    def summary_line(self) -> str:
        """``38 of 40 agree (95%); 1 disagrees; 1 could not be probed``."""
        total = len(self.checks)
        share = f" ({100 * self.agreed / total:.0f}%)" if total else ""
        disagree = total - self.agreed - self.errors
        return (
            f"{self.agreed} of {total} agree{share}; {disagree} disagree; "
            f"{self.errors} could not be probed"
        )


def probed_jobs(
    documents: Iterable[ProjectDocument], targets: Iterable[str]
) -> list[tuple[ProbeJob, Status]]:
    """Every (release, target) a probe judged, with the status it recorded."""
    wanted = set(targets)
    found = []
    for document in documents:
        for release in document.releases:
            for target, verdict in release.targets.items():
                if target in wanted and verdict.evidence is Evidence.PROBE:
                    found.append((ProbeJob(document.name, release.version, target), verdict.status))
    return found


def sample_jobs(
    jobs: list[tuple[ProbeJob, Status]], size: int, *, seed: int | None = None
) -> list[tuple[ProbeJob, Status]]:
    """``size`` of ``jobs`` drawn at random (all of them when there are fewer).

    >>> jobs = [(ProbeJob("p", str(i), "3.14t"), Status.READY) for i in range(10)]
    >>> len(sample_jobs(jobs, 3, seed=1)), len(sample_jobs(jobs, 30, seed=1))
    (3, 10)
    """
    chooser = random.Random(seed)
    return chooser.sample(jobs, min(size, len(jobs)))


def verify(
    sample: list[tuple[ProbeJob, Status]],
    run: Callable[[ProbeJob], ProbeResult],
    *,
    progress: Callable[[Check], None] = lambda check: None,
) -> VerifyReport:
    """Probe each sampled release again with ``run`` and compare the statuses."""
    checks = []
    for job, recorded in sample:
        try:
            check = Check(job, recorded, run(job).status)
        except Exception as exc:  # one release that cannot be probed must not end the run
            check = Check(job, recorded, None, str(exc).splitlines()[0] if str(exc) else repr(exc))
        checks.append(check)
        progress(check)
    return VerifyReport(tuple(checks))
