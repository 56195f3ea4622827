"""The ``json`` format: the stable ``schema: 2`` audit document (always every dependency).

Keys: ``schema``, ``input``, ``target``, ``platform``, ``source``, ``fail_on``,
``fail_on_likely``, ``dependencies`` (``name``, ``version``, ``specifier``,
``origin``, ``status``, ``evidence`` (``probe``, ``inferred``, ``tags`` or
``none``), ``checked_at``, ``culprits`` [{``module``, ``owner``}],
``inferred_from``, ``first_ready_version``, ``upgrade_untested``, ``category``
(``blocker``, ``likely``, ``unknown``, ``unproven``, ``ready``), ``blocks``,
``via``, ``detail``), ``skipped`` (``name``, ``version``, ``origin``,
``reason``) and ``summary`` (``total``, ``blockers``, ``skipped``,
``categories``, ``counts`` per status).
"""

from __future__ import annotations

import json

from tracker.audit.report import AuditReport, report_to_json

__all__ = ["render"]


def render(
    report: AuditReport, *, color: bool = False, width: int | None = None, show_all: bool = False
) -> str:
    """The report as indented JSON (UTF-8 text, newline-terminated)."""
    return json.dumps(report_to_json(report), indent=2, ensure_ascii=False) + "\n"
