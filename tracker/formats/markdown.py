"""The ``markdown`` format: a pull-request comment (with ``--target all``, one
status column per target; the default target decides the verdict in the heading).

Every value that comes from the input or the verdict source is escaped for a
comment: redacted and its control characters shown as escapes
(:func:`tracker.redact.safe_line`), then either a code span (:func:`code`: names,
origins, skipped reasons; no markdown, HTML or mention works inside one) or
text with ``<`` written ``&lt;`` and ``\\ ` * [ ] |`` escaped with a backslash
(:func:`text`: versions, details, upgrade hints): no tag, link, image or code span
can open, and no table cell can end early.
"""

from __future__ import annotations

from tracker.audit.report import AuditEntry, AuditReport, MultiTargetReport, TargetRow
from tracker.redact import safe_line

__all__ = ["code", "render", "render_targets", "text"]

#: Characters that mean something to markdown inside a table cell, escaped with "\\".
_PUNCTUATION = str.maketrans({c: "\\" + c for c in "\\`*[]|"} | {"<": "&lt;"})


def text(value: str) -> str:
    """``value`` as plain text in a markdown table cell (one line, nothing it opens).

    >>> text("a|b <img src=x> [l](u) `c`")
    'a\\\\|b &lt;img src=x> \\\\[l\\\\](u) \\\\`c\\\\`'
    """
    return safe_line(value).translate(_PUNCTUATION)


def code(value: str) -> str:
    """``value`` as a code span, fenced by more backticks than it holds (``|`` escaped
    for the table it may sit in).

    >>> code("six"), code("a`b")
    ('`six`', '``a`b``')
    """
    shown = safe_line(value).replace("|", "\\|")
    run = longest = 0
    for char in shown:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


_cell = text


def _mark(report: AuditReport, entry: AuditEntry) -> str:
    if report.blocks(entry):
        return "❌"
    return "✅" if report.category(entry) == "ready" else "⚠️"


def render(
    report: AuditReport, *, color: bool = False, width: int | None = None, show_all: bool = False
) -> str:
    """The report as GitHub-flavoured Markdown."""
    blockers = len(report.blockers)
    where = f"{code(report.target)} ({text(report.platform)})"
    if blockers:
        noun = "blocker" if blockers == 1 else "blockers"
        head = f"### ❌ fttrack: {blockers} {noun} for free-threaded {where}"
    else:
        head = f"### ✅ fttrack: nothing blocks free-threaded {where}"
    lines = [
        head,
        "",
        f"{len(report.entries)} dependencies from {code(report.input)}, "
        f"verdicts from {text(report.source)}.",
        "",
        "| | package | version | status | evidence | upgrade to | detail |",
        "|---|---|---|---|---|---|---|",
    ]
    shown = [e for e in report.ordered() if show_all or report.needs_attention(e)]
    for entry in shown:
        evidence = entry.evidence.value
        if entry.checked_at:
            evidence += f" {entry.checked_at[:10]}"
        lines.append(
            "| "
            + " | ".join(
                [
                    _mark(report, entry),
                    code(entry.name),
                    _cell(entry.version or entry.specifier or "*"),
                    f"`{entry.status.value}`"
                    + (" (likely)" if entry.evidence.value == "inferred" else ""),
                    evidence,
                    _cell(entry.upgrade_text),
                    _cell(entry.detail),
                ]
            )
            + " |"
        )
    hidden = len(report.entries) - len(shown)
    if hidden:
        lines += ["", f"{hidden} ready dependencies not listed."]
    if report.skipped:
        lines += ["", f"<details><summary>{len(report.skipped)} skipped</summary>", ""]
        lines += [f"- {code(s.name)} ({code(s.origin)}): {code(s.reason)}" for s in report.skipped]
        lines += ["", "</details>"]
    lines += ["", f"<sub>{text(report.summary_line())}</sub>"]
    return "\n".join(lines) + "\n"


def _target_cell(report: AuditReport, entry: AuditEntry | None) -> str:
    if entry is None:
        return "—"
    likely = " (likely)" if entry.evidence.value == "inferred" else ""
    return f"{_mark(report, entry)} `{entry.status.value}`{likely}"


def _hints(multi: MultiTargetReport, row: TargetRow) -> str:
    hints = []
    for target, entry in row.entries.items():
        if entry is None or entry.first_ready_version is None:
            continue
        if multi.report(target).needs_attention(entry):
            hints.append(f"{target}: {entry.upgrade_text}")
    return _cell("; ".join(hints))


def render_targets(
    multi: MultiTargetReport,
    *,
    color: bool = False,
    width: int | None = None,
    show_all: bool = False,
) -> str:
    """The ``--target all`` report: one status column per target."""
    first = multi.reports[0]
    blockers = len(multi.blockers)
    where = f"{code(multi.default_target)} ({text(first.platform)})"
    if blockers:
        noun = "blocker" if blockers == 1 else "blockers"
        head = f"### ❌ fttrack: {blockers} {noun} for free-threaded {where}"
    else:
        head = f"### ✅ fttrack: nothing blocks free-threaded {where}"
    targets = ", ".join(code(t) for t in multi.targets)
    rows = multi.rows()
    shown = [r for r in rows if show_all or multi.needs_attention(r)]
    lines = [
        head,
        "",
        f"{len(rows)} dependencies from {code(first.input)} on {targets}, "
        f"verdicts from {text(first.source)}.",
        "",
        "| package | version | " + " | ".join(map(text, multi.targets)) + " | upgrade to |",
        "|---|---|" + "---|" * len(multi.targets) + "---|",
    ]
    for row in shown:
        cells = [
            code(row.name),
            _cell(row.version or row.first().specifier or "*"),
            *(_target_cell(multi.report(t), row.entries[t]) for t in multi.targets),
            _hints(multi, row),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    hidden = len(rows) - len(shown)
    if hidden:
        lines += ["", f"{hidden} dependencies ready on every target not listed."]
    lines += ["", *(f"<sub>{text(line)}</sub><br>" for line in multi.summary_lines())]
    return "\n".join(lines) + "\n"
