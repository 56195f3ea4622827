"""The ``github`` format: GitHub Actions workflow annotations.

Blockers become ``::error`` lines on the file and line they come from; other
dependencies that are not proven ready become ``::notice`` lines; a final
``::notice`` carries the summary. With ``--target all``, the default target's
blockers are errors and every other target's findings are notices (the exit
code follows the default target), one summary notice per target.

Every value is redacted and its control characters shown as escapes
(:func:`tracker.redact.safe_line`: a newline in the input is the two characters
``\\n``, never a line of its own), then escaped as GitHub's workflow commands
require: :func:`escape_data` for a message, :func:`escape_property` for a
property (``file``, ``title``).
"""

from __future__ import annotations

from tracker.audit.report import AuditEntry, AuditReport, MultiTargetReport, parse_origin
from tracker.redact import safe_line

__all__ = ["escape_data", "escape_property", "render", "render_targets"]


def escape_data(text: str) -> str:
    """Escape an annotation message (``%``, CR, LF), as GitHub's ``toCommandValue`` does.

    >>> escape_data("50%\\n::error::x")
    '50%25%0A::error::x'
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape an annotation property value (also ``:`` and ``,``).

    >>> escape_property("evil.py,line=1::x")
    'evil.py%2Cline=1%3A%3Ax'
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(level: str, report: AuditReport, entry: AuditEntry) -> str:
    path, line = parse_origin(entry.origin)
    props = [f"file={escape_property(safe_line(path))}"]
    if line is not None:
        props.append(f"line={line}")
    version = f" {entry.version}" if entry.version else ""
    title = safe_line(f"{entry.name}{version}: {entry.status.value}")
    props.append(f"title={escape_property(title)}")
    message = f"{entry.name}{version} is {entry.status.value} on {report.target}"
    message += f" ({report.platform}, {entry.evidence.value}): {entry.detail}"
    return f"::{level} {','.join(props)}::{escape_data(safe_line(message))}"


def render(
    report: AuditReport, *, color: bool = False, width: int | None = None, show_all: bool = False
) -> str:
    """The report as workflow commands, one per line."""
    lines = []
    for entry in report.ordered():
        if report.blocks(entry):
            lines.append(_annotation("error", report, entry))
        elif report.needs_attention(entry):
            lines.append(_annotation("notice", report, entry))
    lines.append(f"::notice title=fttrack audit::{escape_data(safe_line(report.summary_line()))}")
    return "\n".join(lines) + "\n"


def render_targets(
    multi: MultiTargetReport,
    *,
    color: bool = False,
    width: int | None = None,
    show_all: bool = False,
) -> str:
    """Annotations for every target: errors for the default target's blockers only."""
    lines = []
    for report in multi.reports:
        default = report.target == multi.default_target
        for entry in report.ordered():
            if report.blocks(entry) and default:
                lines.append(_annotation("error", report, entry))
            elif report.needs_attention(entry):
                lines.append(_annotation("notice", report, entry))
    for summary in multi.summary_lines():
        lines.append(f"::notice title=fttrack audit::{escape_data(safe_line(summary))}")
    return "\n".join(lines) + "\n"
