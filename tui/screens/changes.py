"""The recent changes screen: what changed between consecutive releases, newest first.

The changes come from the same functions as ``fttrack changes``
(:func:`tracker.commands.changes.source_change_index`, then
:meth:`~tracker.changes_index.ChangeIndex.select` with a
:class:`~tracker.changes_index.ChangeQuery`), read in a worker; this screen only
draws them. ``k`` cycles the kind shown (every kind, then each one); Enter opens
the project of the change under the cursor.
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.changes_index import ChangeIndex, ChangeQuery
from tracker.documents import Change
from tracker.vocabulary import CHANGE_RECORDS, ChangeKind, change_colour
from tui.context import TuiContext, describe_error
from tui.keys import GLOBAL_KEYS
from tui.messages import ChangesLoaded, WorkFailed

__all__ = ["SHOWN", "ChangesScreen", "change_cells"]

#: The newest changes the table holds (the info line says how many there are in all).
SHOWN = 2000
#: The kind filter's order: every kind, then each one.
KIND_ORDER: tuple[ChangeKind | None, ...] = (None, *ChangeKind)


def change_cells(change: Change) -> tuple[str | Text, ...]:
    """One change as table cells: date, project, target, kind, from, to, evidence."""
    before = change.previous_stress or change.previous_status.value
    after = change.stress or change.status.value
    if change.culprits:
        after += " (" + ", ".join(c.module for c in change.culprits[:2]) + ")"
    evidence = change.evidence.value + (f" {change.probed}" if change.probed else "")
    return (
        Text((change.date or "")[:10], no_wrap=True, end=""),
        change.display_name or change.project,
        Text(change.target, no_wrap=True, end=""),
        Text(
            CHANGE_RECORDS[change.kind].label,
            style=change_colour(change.kind).terminal,
            no_wrap=True,
            end="",
        ),
        Text(f"{change.previous} {before}", no_wrap=True, end=""),
        Text(f"{change.version} {after}", no_wrap=True, end=""),
        Text(evidence, style="dim", no_wrap=True, end=""),
    )


class ChangesScreen(Screen[None]):
    """Every change of the verdict source, newest first, filtered by kind."""

    AUTO_FOCUS = "#changes"
    BINDINGS = [
        *GLOBAL_KEYS,
        Binding("escape", "app.pop_screen", "Back"),
        Binding("k", "cycle_kind", "Kind"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.index: ChangeIndex | None = None
        self.kind: ChangeKind | None = None
        self.shown: list[Change] = []
        self.total = 0
        self.source_text = ""

    @property
    def fttrack(self) -> TuiContext:
        """The app, typed."""
        return cast("TuiContext", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading changes…", id="changes-info")
        yield DataTable(id="changes", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    @property
    def table(self) -> DataTable[str | Text]:
        """The changes table."""
        return cast("DataTable[str | Text]", self.query_one("#changes", DataTable))

    def on_mount(self) -> None:
        """Set up the columns and read the changes."""
        self.sub_title = "recent changes"
        for label, width in (
            ("date", 10),
            ("project", 18),
            ("target", 6),
            ("change", 10),
            ("from", 22),
            ("to", 22),
            ("evidence", 16),
        ):
            self.table.add_column(label, key=label, width=width)
        self.action_reload()

    def action_reload(self) -> None:
        """Read the changes from the verdict source again."""
        self.query_one("#changes-info", Static).update("loading changes…")
        self.load_changes()

    @work(thread=True, exclusive=True, group="changes")
    def load_changes(self) -> None:
        """Read every change of the verdict source (off the UI thread)."""
        from tracker.commands.changes import source_change_index

        app = self.fttrack
        try:
            with app.source_lock:
                index = source_change_index(app.source)
                described = app.source.describe()
        except Exception as exc:
            self.post_message(WorkFailed("Cannot list changes", describe_error(exc)))
            return
        self.post_message(ChangesLoaded(index, described))

    def on_changes_loaded(self, message: ChangesLoaded) -> None:
        """Show what arrived."""
        self.index = message.index
        self.source_text = message.source
        self.refresh_rows()

    def on_work_failed(self, message: WorkFailed) -> None:
        """A dismissible notice; Escape still goes back."""
        self.query_one("#changes-info", Static).update(
            Text.assemble((message.what, "red"), f": {message.error}")
        )
        self.fttrack.report_error(message.what, message.error)

    def refresh_rows(self) -> None:
        """Fill the table with the newest changes of the kind shown."""
        if self.index is None:
            return
        kinds = frozenset() if self.kind is None else frozenset({self.kind})
        selected = self.index.select(ChangeQuery(kinds=kinds))
        self.total = len(selected)
        self.shown = selected[:SHOWN]
        table = self.table
        table.clear()
        for change in self.shown:
            table.add_row(*change_cells(change), key=change.key)
        kind = "every kind" if self.kind is None else self.kind.value
        count = (
            f"{self.total} changes"
            if self.total <= SHOWN
            else f"the newest {SHOWN} of {self.total} changes"
        )
        info = f"{count} · {kind} (k: next kind) · newest first · {self.source_text}"
        self.query_one("#changes-info", Static).update(
            Text(info, no_wrap=True, overflow="ellipsis")
        )

    def action_cycle_kind(self) -> None:
        """``k``: show the next kind of change (every kind, then each one)."""
        following = (KIND_ORDER.index(self.kind) + 1) % len(KIND_ORDER)
        self.kind = KIND_ORDER[following]
        self.refresh_rows()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter opens the project of the change."""
        row = event.cursor_row
        if 0 <= row < len(self.shown):
            self.fttrack.open_project(self.shown[row].project)
