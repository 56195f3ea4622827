"""``fttrack audit --explain NAME``: everything fttrack knows about one project's release.

One requirement (``numpy``, or pinned: ``numpy==2.5.0``) is judged the way an audit
judges a dependency (:func:`tracker.audit.resolve.judge`: verdict, evidence,
culprits, upgrade hint), then set beside the claim checks of that release and of the
project's current release on the target (:func:`tracker.documents.claims_of`) and the
project's recent changes on the target (:func:`tracker.documents.changes_of`). Nothing
here prints: :func:`explanation_lines` and :func:`explanation_json` give the two forms.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tracker.audit.report import AuditEntry
from tracker.audit.resolve import judge
from tracker.audit.sources.requirements import parse_requirement
from tracker.documents import (
    Change,
    ClaimCheck,
    changes_of,
    claims_of,
    current_release,
    to_builtins,
)
from tracker.errors import InputError
from tracker.models import Target
from tracker.verdicts.choose import choose_target
from tracker.verdicts.interface import VerdictSource
from tracker.vocabulary import CHANGE_RECORDS, CLAIM_RECORDS

__all__ = [
    "CHANGES_SHOWN",
    "Explanation",
    "explain",
    "explanation_json",
    "explanation_lines",
]

#: The newest changes an explanation lists.
CHANGES_SHOWN = 10


class Explanation(msgspec.Struct, frozen=True):
    """One project's release on one target and platform, explained."""

    #: The requirement as given (``numpy`` or ``numpy==2.5.0``).
    requirement: str
    target: str
    platform: str
    #: The verdict source, described.
    source: str
    #: Whether the source tracks the project at all.
    tracked: bool
    #: The verdict, evidence, culprits and upgrade hint, as an audit reports them.
    entry: AuditEntry
    #: The project's current release (None: untracked, or no final release).
    current: str | None = None
    #: The Free Threading classifier the project carries (its newest metadata), if any.
    classifier: str | None = None
    #: The claim checks on the target of the judged release and of the current one.
    claims: list[ClaimCheck] = []
    #: The project's changes on the target, newest first (at most :data:`CHANGES_SHOWN`).
    changes: list[Change] = []
    #: How many changes the project has on the target in all.
    change_count: int = 0


def explain(
    source: VerdictSource,
    requirement: str,
    *,
    target: Target | str | None = None,
    platform: str | None = None,
) -> Explanation:
    """Explain ``requirement`` (``NAME`` or ``NAME==VERSION``) against ``source`` for
    ``target`` (default: the one an audit would take) and ``platform`` (default: this
    machine's). A requirement that does not parse is an :class:`~tracker.errors.InputError`."""
    dep = parse_requirement("--explain", None, requirement.strip(), "--explain")
    if dep.skipped_reason:
        raise InputError("--explain", f"not a project name: {dep.skipped_reason}")
    chosen = choose_target(source, target).target
    if platform is None:
        from tracker.wheels import this_platform

        platform = this_platform()
    document = source.project(dep.name)
    entry = judge(dep, document, target=chosen, platform=platform, kind=source.kind)
    assert entry is not None  # a whole document always settles the entry
    if document is None:
        return Explanation(
            requirement, chosen, platform, source.describe(), tracked=False, entry=entry
        )
    current = current_release(document.releases)
    versions = {entry.version, None if current is None else current.version} - {None}
    checks = claims_of(document, current=current)
    changes = [c for c in changes_of(document) if c.target == chosen]
    return Explanation(
        requirement,
        chosen,
        platform,
        source.describe(),
        tracked=True,
        entry=entry,
        current=None if current is None else current.version,
        classifier=document.classifier,
        claims=[c for c in checks if c.target == chosen and c.version in versions],
        changes=changes[:CHANGES_SHOWN],
        change_count=len(changes),
    )


def explanation_json(explanation: Explanation) -> dict[str, Any]:
    """The explanation as plain JSON values (``--format json``)."""
    found: dict[str, Any] = to_builtins(explanation)
    return found


def _claim_line(check: ClaimCheck) -> list[str]:
    """A claim check in words: what was compared, then each mismatch."""
    said = f"classifier {check.classifier}" if check.classifier else "no classifier"
    declared = f"{len(check.declared)} module(s) declare Py_mod_gil"
    if check.undeclared:
        declared += f", {', '.join(check.undeclared)} do not"
    head = f"{check.version} ({check.status.value}): {said}; {declared}"
    if not check.flags:
        return [head + "; no mismatch"]
    return [head] + [f"  {f.value}: {CLAIM_RECORDS[f].description}" for f in check.flags]


def _change_line(change: Change) -> str:
    before = change.previous_stress or change.previous_status.value
    after = change.stress or change.status.value
    line = (
        f"{(change.date or 'undated')[:10]}  {CHANGE_RECORDS[change.kind].label}: "
        f"{change.previous} {before} → {change.version} {after}"
    )
    if change.culprits:
        line += " (" + ", ".join(c.module for c in change.culprits) + ")"
    return line


def explanation_lines(explanation: Explanation) -> list[str]:
    """The explanation as text lines (the ``table`` format)."""
    entry = explanation.entry
    version = f" {entry.version}" if entry.version else ""
    lines = [
        f"{entry.name}{version} on {explanation.target} ({explanation.platform}), "
        f"from the {explanation.source}"
    ]

    def field(name: str, values: list[str]) -> None:
        for index, value in enumerate(values or ["—"]):
            lines.append(f"  {name if index == 0 else '':<10} {value}")

    checked = f", probed {entry.checked_at[:10]}" if entry.checked_at else ""
    inferred = f", from {entry.inferred_from}" if entry.inferred_from else ""
    field("verdict", [entry.status.value])
    field("evidence", [f"{entry.evidence.value}{inferred}{checked}"])
    field("detail", [entry.detail] if entry.detail else [])
    field(
        "culprits",
        [c.module + (f" (from {c.owner})" if c.owner else "") for c in entry.culprits],
    )
    field("upgrade", [entry.upgrade_text] if entry.first_ready_version else [])
    if entry.stress is not None:
        field("stress", [entry.stress_note])
    if not explanation.tracked:
        return lines
    if explanation.current and explanation.current != entry.version:
        field("current", [explanation.current])
    claims = [line for check in explanation.claims for line in _claim_line(check)]
    field("claims", claims or [f"no probe on {explanation.target} to check them against"])
    changes = [_change_line(c) for c in explanation.changes]
    if explanation.change_count > len(explanation.changes):
        changes.append(f"(the newest {len(changes)} of {explanation.change_count})")
    field("changes", changes or [f"none on {explanation.target}"])
    return lines
