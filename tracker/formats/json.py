"""The ``json`` format: the stable ``schema: 2`` audit document (always every dependency).

Every text is redacted (:func:`~tracker.audit.sources.redact.redact_report`); the JSON
encoder writes control characters as ``\\uXXXX`` escapes.

Keys: ``schema``, ``input``, ``target``, ``platform``, ``source``, ``fail_on``,
``fail_on_likely`` (``fail_on_stress`` when ``--fail-on`` names a stress status),
``dependencies`` (``name``, ``version``, ``specifier``,
``origin``, ``status``, ``evidence`` (``probe``, ``inferred``, ``tags`` or
``none``), ``checked_at``, ``culprits`` [{``module``, ``owner``}],
``inferred_from``, ``first_ready_version``, ``upgrade_untested``,
``upgrade_until`` (the last version of the range that works when later releases
lost the target), ``category`` (``blocker``, ``likely``, ``unknown``,
``unproven``, ``ready``), ``blocks``, ``via``, ``required_by`` (for a lockfile
with a graph: the chains that bring the package in), ``detail``, and ``stress``
only for a release with a stress result: the block of docs/stress.md), ``skipped``
(``name``, ``version``, ``origin``, ``reason``) and ``summary`` (``total``,
``blockers``, ``skipped``, ``categories``, ``counts`` per status).

With ``--target all``: ``schema``, ``input``, ``platform``, ``source``,
``default_target`` (it decides the exit code), ``blockers`` (the default
target's) and ``targets``: one such document per target, keyed by target.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tracker.audit.report import (
    AuditReport,
    MultiTargetReport,
    multi_report_to_json,
    report_to_json,
)
from tracker.audit.sources.redact import redact_report

__all__ = ["render", "render_targets"]


def render(
    report: AuditReport, *, color: bool = False, width: int | None = None, show_all: bool = False
) -> str:
    """The report as indented JSON (UTF-8 text, newline-terminated)."""
    return _indented(report_to_json(redact_report(report)))


def render_targets(
    multi: MultiTargetReport,
    *,
    color: bool = False,
    width: int | None = None,
    show_all: bool = False,
) -> str:
    """One document per target under ``targets`` (indented JSON, newline-terminated)."""
    reports = tuple(redact_report(r) for r in multi.reports)
    return _indented(multi_report_to_json(MultiTargetReport(reports, multi.default_target)))


def _indented(document: Any) -> str:
    """``json.dumps(document, indent=2, ensure_ascii=False)`` and a newline, the same
    characters, made by msgspec (the audit has it loaded already; the json module's
    indenting encoder is pure Python)."""
    return msgspec.json.format(msgspec.json.encode(document), indent=2).decode() + "\n"
