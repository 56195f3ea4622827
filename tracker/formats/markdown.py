"""The ``markdown`` format: a pull-request comment (with ``--target all``, one
status column per target; the default target decides the verdict in the heading)."""

from __future__ import annotations

from tracker.audit.report import AuditEntry, AuditReport, MultiTargetReport, TargetRow

__all__ = ["render", "render_targets"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _mark(report: AuditReport, entry: AuditEntry) -> str:
    if report.blocks(entry):
        return "❌"
    return "✅" if report.category(entry) == "ready" else "⚠️"


def render(
    report: AuditReport, *, color: bool = False, width: int | None = None, show_all: bool = False
) -> str:
    """The report as GitHub-flavoured Markdown."""
    blockers = len(report.blockers)
    where = f"`{report.target}` ({report.platform})"
    if blockers:
        noun = "blocker" if blockers == 1 else "blockers"
        head = f"### ❌ fttrack: {blockers} {noun} for free-threaded {where}"
    else:
        head = f"### ✅ fttrack: nothing blocks free-threaded {where}"
    lines = [
        head,
        "",
        f"{len(report.entries)} dependencies from `{report.input}`, verdicts from {report.source}.",
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
                    f"`{entry.name}`",
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
        lines += [f"- `{s.name}` ({_cell(s.origin)}): {_cell(s.reason)}" for s in report.skipped]
        lines += ["", "</details>"]
    lines += ["", f"<sub>{report.summary_line()}</sub>"]
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
    where = f"`{multi.default_target}` ({first.platform})"
    if blockers:
        noun = "blocker" if blockers == 1 else "blockers"
        head = f"### ❌ fttrack: {blockers} {noun} for free-threaded {where}"
    else:
        head = f"### ✅ fttrack: nothing blocks free-threaded {where}"
    targets = ", ".join(f"`{t}`" for t in multi.targets)
    rows = multi.rows()
    shown = [r for r in rows if show_all or multi.needs_attention(r)]
    lines = [
        head,
        "",
        f"{len(rows)} dependencies from `{first.input}` on {targets}, "
        f"verdicts from {first.source}.",
        "",
        "| package | version | " + " | ".join(multi.targets) + " | upgrade to |",
        "|---|---|" + "---|" * len(multi.targets) + "---|",
    ]
    for row in shown:
        cells = [
            f"`{row.name}`",
            _cell(row.version or row.first().specifier or "*"),
            *(_target_cell(multi.report(t), row.entries[t]) for t in multi.targets),
            _hints(multi, row),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    hidden = len(rows) - len(shown)
    if hidden:
        lines += ["", f"{hidden} dependencies ready on every target not listed."]
    lines += ["", *(f"<sub>{line}</sub><br>" for line in multi.summary_lines())]
    return "\n".join(lines) + "\n"
