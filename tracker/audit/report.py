"""The result of an audit: one entry per judged dependency, plus what was skipped.

Every output format renders an :class:`AuditReport`; :func:`report_to_json`
gives the stable ``schema: 2`` document the ``json`` format prints. An audit of
every target at once (``--target all``) is a :class:`MultiTargetReport`: one
report per target, rows keyed by (package, version).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from tracker.models import Culprit, Evidence, Status
from tracker.stress.result import StressBlock, stress_note, stress_summary
from tracker.vocabulary import BLOCKING_STATUSES, STATUS_RECORDS, STRESS_RECORDS, StressStatus

__all__ = [
    "CATEGORIES",
    "AuditEntry",
    "AuditReport",
    "MultiTargetReport",
    "SkippedEntry",
    "TargetRow",
    "multi_report_to_json",
    "parse_origin",
    "report_to_json",
]

#: The summary's categories, in the order they are reported (see :meth:`AuditReport.category`).
CATEGORIES: tuple[str, ...] = ("blocker", "likely", "unknown", "unproven", "ready")


class AuditEntry(msgspec.Struct, frozen=True):
    """The verdict on one dependency for the audit's target and platform."""

    name: str
    version: str | None
    specifier: str
    origin: str
    status: Status
    evidence: Evidence
    checked_at: str | None = None
    culprits: tuple[Culprit, ...] = ()
    #: The version to upgrade to (first ready above this one, else first with a wheel).
    first_ready_version: str | None = None
    #: True when ``first_ready_version`` has a free-threaded wheel that was never probed.
    upgrade_untested: bool = False
    #: The last version of the range that works, when later releases ship no
    #: free-threaded wheel for the target (see :func:`tracker.documents.target_lost`).
    upgrade_until: str | None = None
    #: For evidence ``inferred``: the probed release whose verdict stands in for this one.
    inferred_from: str | None = None
    detail: str = ""
    #: For a dependency found by resolution: the requirement that pulled it in.
    via: str = ""
    #: For a package of a lockfile's graph: the chains that bring it in, each from its
    #: parent up to the project (see :class:`~tracker.audit.graph.Walk`).
    required_by: tuple[tuple[str, ...], ...] = ()
    #: What running this release's own tests in threads found on the target (its own
    #: stress result, never inferred); it never changes ``status``.
    stress: StressBlock | None = None

    @property
    def stress_note(self) -> str:
        """The row's note on its stress result ("" without one): ``races in its own
        tests: 2 of 40 fail in 8 threads without the GIL``."""
        return "" if self.stress is None else stress_note(self.stress)

    @property
    def upgrade_text(self) -> str:
        """The upgrade hint as a cell shows it: ``3.0.0``, ``3.0.0 to 3.0.3`` (later
        releases lost the target), ``(untested)`` after a version never probed."""
        if self.first_ready_version is None:
            return ""
        text = self.first_ready_version
        if self.upgrade_until is not None and self.upgrade_until != text:
            text += f" to {self.upgrade_until}"
        return text + (" (untested)" if self.upgrade_untested else "")

    def chain_text(self) -> str:
        """The first chain as read aloud: ``pyyaml 6.0.3 ← mkdocs 1.6.1 ← demo[docs]``
        (empty when there is none); ``(+N more)`` counts the others."""
        if not self.required_by:
            return ""
        first = " ← ".join((f"{self.name} {self.version or ''}".strip(), *self.required_by[0]))
        more = len(self.required_by) - 1
        return first + (f" (+{more} more)" if more else "")


class SkippedEntry(msgspec.Struct, frozen=True):
    """A dependency that could not be judged (editable, URL, path, or excluded by a marker)."""

    name: str
    version: str | None
    origin: str
    reason: str


class AuditReport(msgspec.Struct, frozen=True):
    """Everything one audit found."""

    input: str
    target: str
    platform: str
    source: str
    entries: tuple[AuditEntry, ...]
    skipped: tuple[SkippedEntry, ...] = ()
    fail_on: frozenset[Status] = msgspec.field(default_factory=lambda: frozenset(BLOCKING_STATUSES))
    #: Whether a likely blocker (a status in ``fail_on`` inferred from a neighbouring
    #: release's probe) fails the audit like a proven one.
    fail_on_likely: bool = True
    #: Stress statuses that fail the audit too (``--fail-on races``); none by default.
    fail_on_stress: frozenset[StressStatus] = frozenset()

    def stress_fails(self, entry: AuditEntry) -> bool:
        """True when ``entry``'s own stress result is one of ``fail_on_stress``."""
        return entry.stress is not None and entry.stress.status in self.fail_on_stress

    def blocks(self, entry: AuditEntry) -> bool:
        """True when ``entry``'s status is one of ``fail_on`` (inferred ones only when
        ``fail_on_likely``), or its stress status one of ``fail_on_stress``."""
        if self.stress_fails(entry):
            return True
        if entry.status not in self.fail_on:
            return False
        return self.fail_on_likely or entry.evidence is not Evidence.INFERRED

    def category(self, entry: AuditEntry) -> str:
        """Which line of the summary ``entry`` counts in: ``blocker``, ``likely``,
        ``unknown``, ``unproven`` (not proven ready, not blocking) or ``ready``."""
        if entry.status in self.fail_on:
            return "likely" if entry.evidence is Evidence.INFERRED else "blocker"
        if entry.status is Status.UNKNOWN:
            return "unknown"
        if entry.status is Status.READY and entry.evidence is Evidence.PROBE:
            return "ready"
        if entry.status is Status.PURE and entry.evidence is not Evidence.INFERRED:
            return "ready"
        return "unproven"

    def needs_attention(self, entry: AuditEntry) -> bool:
        """True for every entry but the ready ones, and for a ready one whose own tests
        found something in threads (crashed, deadlocked, races) or that fails
        ``fail_on_stress``: what the compact table shows."""
        if self.stress_fails(entry):
            return True
        if entry.stress is not None and STRESS_RECORDS[entry.stress.status].finding:
            return True
        return self.category(entry) != "ready"

    def categories(self) -> dict[str, int]:
        """How many entries fall in each summary category (all five, zeros included)."""
        counts = dict.fromkeys(CATEGORIES, 0)
        for entry in self.entries:
            counts[self.category(entry)] += 1
        return counts

    @property
    def blockers(self) -> tuple[AuditEntry, ...]:
        """The entries that block, in input order."""
        return tuple(e for e in self.entries if self.blocks(e))

    def ordered(self) -> list[AuditEntry]:
        """Blockers first, then by status (worst first), then by name."""
        return sorted(
            self.entries,
            key=lambda e: (not self.blocks(e), STATUS_RECORDS[e.status].rank, e.name),
        )

    def counts(self) -> dict[str, int]:
        """Number of entries per status (every status present, zeros included)."""
        counts = {status.value: 0 for status in Status}
        for entry in self.entries:
            counts[entry.status.value] += 1
        return counts

    def summary_line(self) -> str:
        """One line for stderr: every category counted, blockers by status, skipped.

        ``12 dependencies on 3.14t (manylinux_x86_64): 2 block (1 gil-reenabled,
        1 no-ft-wheel), 1 likely blocks, 0 unknown, 2 unproven, 7 ready; 1 skipped``
        """
        total = len(self.entries)
        counts = self.categories()
        where = f"{self.target} ({self.platform})"
        noun = "dependency" if total == 1 else "dependencies"
        proven = [e for e in self.entries if self.category(e) == "blocker"]
        by_status = _count_by(e.status.value for e in proven)
        detail = ", ".join(f"{n} {s}" for s, n in by_status.items())
        parts = [
            f"{counts['blocker']} block" + (f" ({detail})" if detail else ""),
            f"{counts['likely']} likely block",
            f"{counts['unknown']} unknown",
            f"{counts['unproven']} unproven",
            f"{counts['ready']} ready",
        ]
        stressed = [e.stress.status for e in self.entries if e.stress is not None]
        threads = stress_summary(stressed)
        failing = sum(1 for e in self.entries if self.stress_fails(e))
        if failing:
            chosen = ",".join(sorted(s.value for s in self.fail_on_stress))
            threads += f" ({failing} fail{'s' if failing == 1 else ''} --fail-on {chosen})"
        threads = f"; {threads}" if threads else ""
        skipped = f"; {len(self.skipped)} skipped" if self.skipped else ""
        return f"{total} {noun} on {where}: {', '.join(parts)}{threads}{skipped}"


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
    """The stable ``schema: 2`` audit document (see :mod:`tracker.formats.json`)."""
    return {
        "schema": 2,
        "input": report.input,
        "target": report.target,
        "platform": report.platform,
        "source": report.source,
        "fail_on": sorted(s.value for s in report.fail_on),
        "fail_on_likely": report.fail_on_likely,
        **(
            {"fail_on_stress": sorted(s.value for s in report.fail_on_stress)}
            if report.fail_on_stress
            else {}
        ),
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
                "inferred_from": e.inferred_from,
                "first_ready_version": e.first_ready_version,
                "upgrade_untested": e.upgrade_untested,
                "upgrade_until": e.upgrade_until,
                "category": report.category(e),
                "blocks": report.blocks(e),
                "via": e.via or None,
                "required_by": [list(chain) for chain in e.required_by],
                "detail": e.detail,
                **({} if e.stress is None else {"stress": msgspec.to_builtins(e.stress)}),
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
            "categories": report.categories(),
            "counts": report.counts(),
        },
    }


class TargetRow(msgspec.Struct, frozen=True):
    """One (package, version) of a multi-target audit, and its entry on each target
    (None where the dependency is not installed there, e.g. excluded by a marker)."""

    name: str
    version: str | None
    entries: dict[str, AuditEntry | None]

    def first(self) -> AuditEntry:
        """The first entry present (for the fields every target shares: origin, via)."""
        return next(e for e in self.entries.values() if e is not None)


class MultiTargetReport(msgspec.Struct, frozen=True):
    """One audit report per target (``--target all``), in the source's target order.

    The exit code follows ``default_target``: the newest target something was probed on.
    """

    reports: tuple[AuditReport, ...]
    default_target: str

    @property
    def targets(self) -> tuple[str, ...]:
        """The targets, in report order."""
        return tuple(r.target for r in self.reports)

    def report(self, target: str) -> AuditReport:
        """The report of one target."""
        return next(r for r in self.reports if r.target == target)

    @property
    def blockers(self) -> tuple[AuditEntry, ...]:
        """The default target's blockers: what decides the exit code."""
        return self.report(self.default_target).blockers

    def rows(self) -> list[TargetRow]:
        """Every (package, version) once, worst first (by its worst target), then by name."""
        rows: dict[tuple[str, str | None], TargetRow] = {}
        for report in self.reports:
            for entry in report.entries:
                key = (entry.name, entry.version)
                if key not in rows:
                    rows[key] = TargetRow(entry.name, entry.version, dict.fromkeys(self.targets))
                rows[key].entries[report.target] = entry

        def rank(row: TargetRow) -> tuple[int, int, str]:
            blocks = any(e is not None and self.report(t).blocks(e) for t, e in row.entries.items())
            worst = min(STATUS_RECORDS[e.status].rank for e in row.entries.values() if e)
            return (0 if blocks else 1, worst, row.name)

        return sorted(rows.values(), key=rank)

    def needs_attention(self, row: TargetRow) -> bool:
        """True when the row needs attention on at least one target."""
        return any(
            e is not None and self.report(t).needs_attention(e) for t, e in row.entries.items()
        )

    def summary_lines(self) -> list[str]:
        """One summary line per target (the default target's marked)."""
        return [
            r.summary_line()
            + (
                " (default target: decides the exit code)"
                if r.target == self.default_target
                else ""
            )
            for r in self.reports
        ]


def multi_report_to_json(multi: MultiTargetReport) -> dict[str, Any]:
    """The ``--target all`` document: ``schema`` 2, ``default_target``, and one
    :func:`report_to_json` document per target under ``targets``."""
    first = multi.reports[0]
    return {
        "schema": 2,
        "input": first.input,
        "platform": first.platform,
        "source": first.source,
        "default_target": multi.default_target,
        "blockers": len(multi.blockers),
        "targets": {r.target: report_to_json(r) for r in multi.reports},
    }
