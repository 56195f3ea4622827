"""The ``json`` format: the stable ``schema: 1`` audit document.

Keys: ``schema``, ``input``, ``target``, ``platform``, ``source``, ``fail_on``,
``dependencies`` (``name``, ``version``, ``specifier``, ``origin``, ``status``,
``evidence``, ``checked_at``, ``culprits`` [{``module``, ``owner``}],
``first_ready_version``, ``blocks``, ``detail``), ``skipped`` (``name``,
``version``, ``origin``, ``reason``) and ``summary`` (``total``, ``blockers``,
``skipped``, ``counts`` per status).
"""

from __future__ import annotations

import json

from tracker.audit.report import AuditReport, report_to_json

__all__ = ["render"]


def render(report: AuditReport, *, color: bool = False, width: int | None = None) -> str:
    """The report as indented JSON (UTF-8 text, newline-terminated)."""
    return json.dumps(report_to_json(report), indent=2, ensure_ascii=False) + "\n"
