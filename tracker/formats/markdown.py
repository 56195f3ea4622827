"""The ``markdown`` format: a pull-request comment."""

from __future__ import annotations

from tracker.audit.report import AuditEntry, AuditReport

__all__ = ["render"]


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
                    _cell(
                        (entry.first_ready_version or "")
                        + (" (untested)" if entry.upgrade_untested else "")
                    ),
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
