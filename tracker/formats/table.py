"""The ``table`` format: an aligned table, blockers first, coloured by status.

By default only what needs attention is listed (blockers, likely blockers,
unknown and unproven dependencies); ``show_all`` lists every row. Under each
row that is not proven ready, one indented line says why and what to upgrade
to; then the skipped dependencies, then one summary line. With ``--target all``
(:func:`render_targets`) each target has its status column, the detail line
gives the upgrade per target, and one summary line per target ends it. Colours are drawn
with rich; without colours the text is assembled directly (a 500-row table
then renders in milliseconds). Every piece of text is written through
:func:`tracker.redact.safe_line`: no credentials of a URL, and control
characters from the input (escape sequences, newlines) shown as escapes.
"""

from __future__ import annotations

from pathlib import PurePath

from tracker.audit.report import AuditEntry, AuditReport, MultiTargetReport, TargetRow, parse_origin
from tracker.redact import safe_line as _shown
from tracker.vocabulary import colour

__all__ = ["render", "render_targets"]

_HEADERS = ("", "package", "version", "status", "evidence", "upgrade to", "origin")

# One styled piece of output: (text, rich style or None).
_Piece = tuple[str, str | None]


def _evidence(entry: AuditEntry) -> str:
    if entry.checked_at:
        return f"{entry.evidence.value} {entry.checked_at[:10]}"
    return entry.evidence.value


def _mark(report: AuditReport, entry: AuditEntry) -> _Piece:
    category = report.category(entry)
    if report.blocks(entry):
        return ("✗", "bold red")
    if category == "likely":
        return ("?", "red")
    if category == "ready":
        return ("✓", "green")
    return ("·", "dim")


def _status(entry: AuditEntry) -> str:
    if entry.evidence.value == "inferred":
        return f"likely {entry.status.value}"
    return entry.status.value


def _upgrade(entry: AuditEntry) -> _Piece:
    if entry.first_ready_version is None:
        return ("", None)
    return (entry.upgrade_text, "yellow" if entry.upgrade_untested else "green")


def _origin(entry: AuditEntry) -> str:
    """``via PARENT`` (``via a +3`` for several parents: JSON lists them all), else file:line."""
    if entry.via:
        parents = [p.strip() for p in entry.via.split(",")]
        more = f" +{len(parents) - 1}" if len(parents) > 1 else ""
        return f"via {parents[0]}{more}"
    return _short_origin(entry.origin)


def _short_origin(origin: str) -> str:
    path, line = parse_origin(origin)
    name = PurePath(path).name or path
    return f"{name}:{line}" if line is not None else name


def _row(report: AuditReport, entry: AuditEntry) -> list[_Piece]:
    return [
        _mark(report, entry),
        (entry.name, "bold" if report.blocks(entry) else None),
        (entry.version or entry.specifier or "*", None),
        (_status(entry), colour(entry.status).terminal),
        (_evidence(entry), None),
        _upgrade(entry),
        (_origin(entry), "dim"),
    ]


#: The non-ASCII characters the table and the verdicts write, one cell each.
NARROW = frozenset("×…→·—↳─✓✗")


def cell_len(text: str) -> int:
    """Terminal cells ``text`` takes: its length when it is printable ASCII and the
    table's own marks (:data:`NARROW`), else what :func:`rich.cells.cell_len` says
    (imported only then)."""
    if text.isprintable() and (text.isascii() or all(c < "\x7f" or c in NARROW for c in text)):
        return len(text)
    from rich.cells import cell_len as rich_cell_len

    return rich_cell_len(text)


def _widths(headers: tuple[str, ...], rows: list[list[_Piece]]) -> list[int]:
    widths = [cell_len(h) for h in headers]
    for row in rows:
        for i, (text, _) in enumerate(row):
            widths[i] = max(widths[i], cell_len(_shown(text)))
    return widths


def _aligned(cells: list[_Piece], widths: list[int]) -> list[_Piece]:
    out: list[_Piece] = []
    for i, (raw, style) in enumerate(cells):
        text = _shown(raw)
        last = i == len(cells) - 1
        pad = "" if last else " " * (widths[i] - cell_len(text) + 2)
        out += [(text, style), (pad, None)]
    return out


def _skipped_lines(report: AuditReport) -> list[list[_Piece]]:
    lines: list[list[_Piece]] = []
    if report.skipped:
        lines.append([(f"skipped {len(report.skipped)}:", "dim")])
        for skipped in report.skipped:
            text = f"  {skipped.name} ({_short_origin(skipped.origin)}): {skipped.reason}"
            lines.append([(text, "dim")])
    return lines


def _lines(report: AuditReport, show_all: bool) -> list[list[_Piece]]:
    """Every output line as styled pieces."""
    entries = [e for e in report.ordered() if show_all or report.needs_attention(e)]
    rows = [_row(report, e) for e in entries]
    widths = _widths(_HEADERS, rows)
    title = f"{report.input}: free-threaded {report.target} on {report.platform}"
    lines: list[list[_Piece]] = [[(title, "bold")]]
    if rows:
        lines.append(_aligned([(h, "bold") for h in _HEADERS], widths))
        lines.append(_aligned([("─" * w, "dim") for w in widths], widths))
    for entry, row in zip(entries, rows, strict=True):
        lines.append(_aligned(row, widths))
        if entry.detail and report.needs_attention(entry):
            lines.append([("   ↳ ", "dim"), (entry.detail, None)])
        if report.blocks(entry) and entry.required_by:
            lines.append([("   ↳ ", "dim"), ("required by: " + entry.chain_text(), None)])
    hidden = len(report.entries) - len(entries)
    if hidden:
        lines.append([(f"{hidden} ready not shown (--all lists every row)", "dim")])
    lines.append([(f"verdicts from {report.source}", "dim")])
    lines += _skipped_lines(report)
    lines.append([(report.summary_line(), "bold")])
    return lines


def _target_mark(multi: MultiTargetReport, row: TargetRow) -> _Piece:
    present = [(t, e) for t, e in row.entries.items() if e is not None]
    default = row.entries.get(multi.default_target)
    if default is not None and multi.report(multi.default_target).blocks(default):
        return ("✗", "bold red")
    if any(multi.report(t).blocks(e) for t, e in present):
        return ("!", "red")
    if all(multi.report(t).category(e) == "ready" for t, e in present):
        return ("✓", "green")
    return ("·", "dim")


def _target_cell(report: AuditReport, entry: AuditEntry | None) -> _Piece:
    if entry is None:
        return ("—", "dim")
    return (_status(entry), colour(entry.status).terminal)


def _hints(multi: MultiTargetReport, row: TargetRow) -> str:
    """``3.14t → 3.5.4 · 3.15t → 3.6.0 (untested)``: the upgrade on each target."""
    hints = []
    for target, entry in row.entries.items():
        if entry is None or entry.first_ready_version is None:
            continue
        if not multi.report(target).needs_attention(entry):
            continue
        untested = " (untested)" if entry.upgrade_untested else ""
        hints.append(f"{target}: upgrade → {entry.first_ready_version}{untested}")
    return " · ".join(hints)


def _target_lines(multi: MultiTargetReport, show_all: bool) -> list[list[_Piece]]:
    """Every line of a ``--target all`` table as styled pieces."""
    all_rows = multi.rows()
    shown = [r for r in all_rows if show_all or multi.needs_attention(r)]
    headers = ("", "package", "version", *multi.targets, "origin")
    cells = [
        [
            _target_mark(multi, row),
            (row.name, None),
            (row.version or row.first().specifier or "*", None),
            *(_target_cell(multi.report(t), row.entries[t]) for t in multi.targets),
            (_origin(row.first()), "dim"),
        ]
        for row in shown
    ]
    widths = _widths(headers, cells)
    first = multi.reports[0]
    title = f"{first.input}: free-threaded {', '.join(multi.targets)} on {first.platform}"
    lines: list[list[_Piece]] = [[(title, "bold")]]
    if cells:
        lines.append(_aligned([(h, "bold") for h in headers], widths))
        lines.append(_aligned([("─" * w, "dim") for w in widths], widths))
    for row, line in zip(shown, cells, strict=True):
        lines.append(_aligned(line, widths))
        hints = _hints(multi, row)
        if hints:
            lines.append([("   ↳ ", "dim"), (hints, None)])
    hidden = len(all_rows) - len(shown)
    if hidden:
        lines.append([(f"{hidden} ready on every target not shown (--all lists every row)", "dim")])
    lines.append([(f"verdicts from {first.source}", "dim")])
    lines += _skipped_lines(multi.report(multi.default_target))
    lines += [[(summary, "bold")] for summary in multi.summary_lines()]
    return lines


def _paint(lines: list[list[_Piece]], color: bool, width: int | None) -> str:
    if not color:
        return "\n".join("".join(_shown(t) for t, _ in line).rstrip() for line in lines) + "\n"
    import io

    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        width=width or 120,
        highlight=False,
        emoji=False,
    )
    text = Text()
    for line in lines:
        for piece, style in line:
            text.append(_shown(piece), style=style)
        text.append("\n")
    console.print(text, end="", soft_wrap=True)
    return buffer.getvalue()


def render(
    report: AuditReport, *, color: bool = False, width: int | None = None, show_all: bool = False
) -> str:
    """The report as a table (ANSI colours when ``color``; every row when ``show_all``)."""
    return _paint(_lines(report, show_all), color, width)


def render_targets(
    multi: MultiTargetReport,
    *,
    color: bool = False,
    width: int | None = None,
    show_all: bool = False,
) -> str:
    """One status column per target, the upgrade per target under each row."""
    return _paint(_target_lines(multi, show_all), color, width)
