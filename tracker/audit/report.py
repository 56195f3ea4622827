"""The result of an audit: one entry per judged dependency, plus what was skipped.

Every output format renders an :class:`AuditReport`; :func:`report_to_json`
gives the stable ``schema: 1`` document the ``json`` format prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tracker.models import BLOCKING_STATUSES, Culprit, Evidence, Status

__all__ = [
    "AuditEntry",
    "AuditReport",
    "SkippedEntry",
    "parse_origin",
    "report_to_json",
]

#: Display order of statuses: worst first.
STATUS_ORDER: tuple[Status, ...] = (
    Status.GIL_REENABLED,
    Status.CRASHED,
    Status.IMPORT_FAILED,
    Status.TIMED_OUT,
    Status.INSTALL_FAILED,
    Status.NO_FT_WHEEL,
    Status.SDIST_ONLY,
    Status.UNKNOWN,
    Status.WHEEL_ONLY,
    Status.PURE,
    Status.READY,
)


@dataclass(frozen=True)
class AuditEntry:
    """The verdict on one dependency for the audit's target and platform."""

    name: str
    version: str | None
    specifier: str
    origin: str
    status: Status
    evidence: Evidence
    checked_at: str | None = None
    culprits: tuple[Culprit, ...] = ()
    first_ready_version: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class SkippedEntry:
    """A dependency that could not be judged (editable, URL, path, or excluded by a marker)."""

    name: str
    version: str | None
    origin: str
    reason: str


@dataclass(frozen=True)
class AuditReport:
    """Everything one audit found."""

    input: str
    target: str
    platform: str
    source: str
    entries: tuple[AuditEntry, ...]
    skipped: tuple[SkippedEntry, ...] = ()
    fail_on: frozenset[Status] = field(default_factory=lambda: frozenset(BLOCKING_STATUSES))

    def blocks(self, entry: AuditEntry) -> bool:
        """True when ``entry``'s status is one of ``fail_on``."""
        return entry.status in self.fail_on

    @property
    def blockers(self) -> tuple[AuditEntry, ...]:
        """The entries that block, in input order."""
        return tuple(e for e in self.entries if self.blocks(e))

    def ordered(self) -> list[AuditEntry]:
        """Blockers first, then by status (worst first), then by name."""
        return sorted(
            self.entries,
            key=lambda e: (not self.blocks(e), STATUS_ORDER.index(e.status), e.name),
        )

    def counts(self) -> dict[str, int]:
        """Number of entries per status (every status present, zeros included)."""
        counts = {status.value: 0 for status in Status}
        for entry in self.entries:
            counts[entry.status.value] += 1
        return counts

    def summary_line(self) -> str:
        """One line for stderr: how many block, of which statuses, how many skipped."""
        total = len(self.entries)
        blockers = self.blockers
        where = f"{self.target} ({self.platform})"
        skipped = f"; {len(self.skipped)} skipped" if self.skipped else ""
        noun = "dependency" if total == 1 else "dependencies"
        if not blockers:
            return f"no blockers: {total} {noun} checked for {where}{skipped}"
        by_status = _count_by(e.status.value for e in blockers)
        parts = ", ".join(f"{n} {s}" for s, n in by_status.items())
        verb = "blocks" if len(blockers) == 1 else "block"
        head = f"{len(blockers)} of {total} {noun} {verb} free-threading on {where}"
        return f"{head}: {parts}{skipped}"


def _count_by(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def parse_origin(origin: str) -> tuple[str, int | None]:
    """Split ``"file:line"`` into the file and the line (None if there is none).

    >>> parse_origin("requirements.txt:12")
    ('requirements.txt', 12)
    >>> parse_origin("uv.lock")
    ('uv.lock', None)
    """
    head, _, tail = origin.rpartition(":")
    if head and tail.isdigit():
        return head, int(tail)
    return origin, None


def report_to_json(report: AuditReport) -> dict[str, Any]:
    """The stable ``schema: 1`` audit document."""
    return {
        "schema": 1,
        "input": report.input,
        "target": report.target,
        "platform": report.platform,
        "source": report.source,
        "fail_on": sorted(s.value for s in report.fail_on),
        "dependencies": [
            {
                "name": e.name,
                "version": e.version,
                "specifier": e.specifier,
                "origin": e.origin,
                "status": e.status.value,
                "evidence": e.evidence.value,
                "checked_at": e.checked_at,
                "culprits": [{"module": c.module, "owner": c.owner} for c in e.culprits],
                "first_ready_version": e.first_ready_version,
                "blocks": report.blocks(e),
                "detail": e.detail,
            }
            for e in report.entries
        ],
        "skipped": [
            {"name": s.name, "version": s.version, "origin": s.origin, "reason": s.reason}
            for s in report.skipped
        ],
        "summary": {
            "total": len(report.entries),
            "blockers": len(report.blockers),
            "skipped": len(report.skipped),
            "counts": report.counts(),
        },
    }
