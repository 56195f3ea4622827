"""The audit screen: a lockfile's dependencies judged for free-threading, blockers first.

Auditing and exporting are the auditor's own functions
(:func:`tracker.audit.run.run_audit`, as ``fttrack audit`` runs it, and
:func:`tracker.formats.get_renderer`), run in thread workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.audit.report import AuditEntry, AuditReport, parse_origin
from tracker.documents import TARGET_NAMES
from tracker.models import Evidence
from tui.context import TuiContext, describe_error
from tui.keys import GLOBAL_KEYS
from tui.messages import AuditFinished, ReportExported, WorkFailed
from tui.styles import evidence_text, status_text, to_the_second

__all__ = ["AuditScreen"]


class AuditScreen(Screen[None]):
    """Dependencies × verdicts for one target and platform."""

    AUTO_FOCUS = "#deps"
    BINDINGS = [
        *GLOBAL_KEYS,
        Binding("escape", "app.pop_screen", "Back"),
        Binding("o", "open", "Open lockfile"),
        Binding("e", "export", "Export"),
        Binding("t", "next_target", "Target"),
    ]

    def __init__(self, lockfile: Path | None = None) -> None:
        super().__init__()
        self.lockfile = lockfile
        self.report: AuditReport | None = None
        self.entries: list[AuditEntry] = []

    @property
    def fttrack(self) -> TuiContext:
        """The app, typed."""
        return cast("TuiContext", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("no lockfile yet: press o to open one", id="audit-summary")
        yield DataTable(id="deps", cursor_type="row", zebra_stripes=True)
        yield Static("", id="dep-detail")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def table(self) -> DataTable[Any]:
        """The dependencies table."""
        return self.query_one("#deps", DataTable)

    def on_mount(self) -> None:
        """Set up the columns; audit the lockfile, or ask for one."""
        self.sub_title = "audit"
        for label, key in (
            ("", "mark"),
            ("package", "name"),
            ("version", "version"),
            ("status", "status"),
            ("evidence", "evidence"),
            ("upgrade to", "upgrade"),
            ("culprits", "culprits"),
            ("origin", "origin"),
        ):
            self.table.add_column(label, key=key)
        self.table.focus()
        if self.lockfile is not None:
            self.start_audit(self.lockfile)
        else:
            self.action_open()

    # -- auditing --------------------------------------------------------------------------

    def start_audit(self, path: Path) -> None:
        """Audit ``path`` in the background."""
        self.lockfile = path
        self.fttrack.lockfile = path
        self.table.loading = True
        self.query_one("#audit-summary", Static).update(Text(f"auditing {path}…"))
        self.run_audit(path)

    @work(thread=True, exclusive=True, group="audit")
    def run_audit(self, path: Path) -> None:
        """Audit ``path`` as ``fttrack audit PATH`` does (off the UI thread)."""
        from tracker.audit.run import AuditRequest, read_input
        from tracker.audit.run import run_audit as audit

        app = self.fttrack
        try:
            read = read_input(AuditRequest(str(path)))  # a large lock is parsed unlocked
            with app.source_lock:
                request = AuditRequest(
                    str(path), target=app.resolve_target(), platform=app.resolve_platform()
                )
                run = audit(request, app.source, read=read)
        except Exception as exc:
            self.post_message(WorkFailed("Cannot audit", describe_error(exc)))
            return
        notes = [n for n in run.notes if n != app.target_note]
        self.post_message(AuditFinished(run.report, " · ".join(notes)))

    def on_audit_finished(self, message: AuditFinished) -> None:
        """Show the report, blockers first."""
        report = message.report
        self.report = report
        self.entries = report.ordered()
        table = self.table
        table.loading = False
        table.clear()
        rows: list[tuple[str, list[Text | str]]] = []
        for entry in self.entries:
            category = report.category(entry)
            upgrade = entry.first_ready_version or ""
            if upgrade and entry.upgrade_untested:
                upgrade += " (untested)"
            cells: list[Text | str] = [
                _MARKS.get(category, Text(" ")),
                Text(entry.name, style="bold" if report.blocks(entry) else ""),
                entry.version or entry.specifier or "*",
                status_text(entry.status),
                evidence_text(entry.evidence),
                Text(upgrade, style="green"),
                ", ".join(c.module for c in entry.culprits),
            ]
            rows.append((f"{entry.name}|{entry.version}|{entry.specifier}", cells))
        origin_width = self.origin_width([cells for _, cells in rows])
        for (key, cells), entry in zip(rows, self.entries, strict=True):
            table.add_row(*cells, _short_origin(entry.origin, origin_width), key=key)
        summary = Text(report.summary_line(), style="bold red" if report.blockers else "bold green")
        summary.append(f"\n{report.input} · verdicts from {report.source}", style="dim")
        if report.skipped:
            summary.append(f" · {len(report.skipped)} skipped", style="dim")
        if message.note:
            summary.append(f" · {message.note}", style="dim")
        if self.fttrack.target_note:
            summary.append(f" · {self.fttrack.target_note}", style="yellow")
        self.query_one("#audit-summary", Static).update(summary)
        self.sub_title = f"audit {report.input} for {report.target}"
        if self.entries:
            table.move_cursor(row=0, animate=False)
            self.show_entry(0)
        else:
            self.query_one("#dep-detail", Static).update("no dependencies to judge")

    def origin_width(self, rows: list[list[Text | str]]) -> int:
        """The cells left for the origin column once the other columns (as wide as their
        widest cell) are drawn: the origin is shortened to fit, never scrolled away."""
        table = self.table
        labels = [str(column.label) for column in table.ordered_columns]
        used = 0
        for index, label in enumerate(labels[:-1]):
            widest = max((cell_len(str(row[index])) for row in rows), default=0)
            used += max(widest, cell_len(label)) + 2 * table.cell_padding
        available = table.scrollable_content_region.width or self.app.size.width
        return max(available - used - 2 * table.cell_padding, _MIN_ORIGIN)

    def on_work_failed(self, message: WorkFailed) -> None:
        """A dismissible notice; the screen stays usable (press o to pick another file)."""
        self.table.loading = False
        if self.report is None:
            self.query_one("#audit-summary", Static).update(
                Text.assemble((message.error, "red"), "\npress o to open another lockfile")
            )
        self.fttrack.report_error(message.what, message.error)

    def show_entry(self, index: int) -> None:
        """The detail line of the dependency at ``index``."""
        if not 0 <= index < len(self.entries):
            return
        entry = self.entries[index]
        text = Text(f"{entry.name} {entry.version or entry.specifier}: ", style="bold")
        if entry.evidence is Evidence.INFERRED:
            text.append(f"likely {entry.status.value}", style="yellow")
            text.append(f" (inferred from {entry.inferred_from or 'a neighbouring release'})")
            text.append(". ")
        text.append(entry.detail or entry.status.description)
        if entry.culprits:
            owners = ", ".join(
                f"{c.module} ({c.owner})" if c.owner else c.module for c in entry.culprits
            )
            text.append(f"\nculprits: {owners}", style="red")
        facts = []
        if entry.checked_at:
            facts.append(f"checked {to_the_second(entry.checked_at)}")
        if entry.via:
            facts.append(f"pulled in by {entry.via}")
        if facts:
            text.append("\n" + " · ".join(facts), style="dim")
        text.append("\nEnter: every release and probe of this project", style="dim")
        self.query_one("#dep-detail", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Follow the cursor."""
        self.show_entry(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter drills into the dependency's project, on the pinned release."""
        if 0 <= event.cursor_row < len(self.entries):
            entry = self.entries[event.cursor_row]
            self.fttrack.open_project(entry.name, version=entry.version)

    # -- actions ---------------------------------------------------------------------------

    def action_open(self) -> None:
        """Pick a lockfile."""
        from tui.screens.picker import PickerScreen

        start = self.lockfile.parent if self.lockfile is not None else Path.cwd()
        self.app.push_screen(PickerScreen(start), self.picked)

    def picked(self, path: Path | None) -> None:
        """The picker's answer."""
        if path is not None:
            self.start_audit(path)

    def action_next_target(self) -> None:
        """Audit again for the next target."""
        if self.lockfile is None:
            return
        current = self.fttrack.target or TARGET_NAMES[-1]
        index = TARGET_NAMES.index(current) if current in TARGET_NAMES else -1
        self.fttrack.target = TARGET_NAMES[(index + 1) % len(TARGET_NAMES)]
        self.start_audit(self.lockfile)

    def action_export(self) -> None:
        """Ask for a format and a file, then write the report."""
        if self.report is None:
            self.notify("nothing to export yet", severity="warning")
            return
        from tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(), self.export_chosen)

    def export_chosen(self, choice: tuple[str, Path] | None) -> None:
        """The export form's answer."""
        if choice is not None and self.report is not None:
            self.export_report(self.report, *choice)

    @work(thread=True, exclusive=True, group="export")
    def export_report(self, report: AuditReport, format_name: str, path: Path) -> None:
        """Render with the auditor's formatter and write the file (off the UI thread)."""
        from tracker.formats import get_renderer

        try:
            text = get_renderer(format_name)(report, color=False)
            path.write_text(text, encoding="utf-8")
        except Exception as exc:
            self.post_message(WorkFailed("Cannot export", describe_error(exc)))
            return
        self.post_message(ReportExported(path, format_name))

    def on_report_exported(self, message: ReportExported) -> None:
        """Say where the report went."""
        self.notify(
            f"{message.format_name} report written to {message.path}",
            title="Exported",
            markup=False,
        )


#: The first column, per summary category (see :meth:`AuditReport.category`).
_MARKS: dict[str, Text] = {
    "blocker": Text("✗", style="bold red"),
    "likely": Text("?", style="bold yellow"),
    "unknown": Text("·", style="dim"),
}


#: The origin column is never made narrower than this (then the table scrolls).
_MIN_ORIGIN = 8


def _short_origin(origin: str, width: int | None = None) -> str:
    """The file name of ``origin`` and its ``:LINE``, in at most ``width`` cells: the
    file name is cut with ``…``, the line number is always kept.

    >>> _short_origin("deps/requirements.txt:12")
    'requirements.txt:12'
    >>> _short_origin("deps/requirements.txt:12", 12)
    'requirem…:12'
    >>> _short_origin("uv.lock", 4)
    'uv.…'
    """
    path, line = parse_origin(origin)
    name = Path(path).name or path
    suffix = f":{line}" if line is not None else ""
    if width is not None and cell_len(name + suffix) > width:
        room = max(width - cell_len(suffix) - 1, 1)
        name = name[:room] + "…"
    return name + suffix
