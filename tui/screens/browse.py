"""The browse screen: every tracked project and its status per target.

Only the source's summaries are read (``source.summaries()``: no history), in
a worker. Rows are built once and handed to the table once; searching,
filtering and sorting then work in memory and only swap which rows the table
shows (:meth:`~tui.widgets.table.FixedWidthTable.show_rows`).

Focus order: the table, then the search box, then the filters (Tab, and
Shift+Tab back); ``/`` jumps to the search box from anywhere.
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Footer, Header, Input, Select, Static
from textual.widgets.data_table import ColumnKey

from tracker.collector import paused_collector
from tracker.documents import TARGET_NAMES
from tracker.models import Status
from tracker.names import normalize_name
from tui.context import TuiContext, describe_error
from tui.keys import GLOBAL_KEYS
from tui.messages import ProjectsLoaded, WorkFailed
from tui.rows import (
    CELL_KEYS,
    NO_WATCH,
    BrowseRow,
    Filters,
    SortKey,
    apply_filters,
    build_rows,
    sort_rows,
    target_order,
)
from tui.widgets.search import SearchInput
from tui.widgets.table import FixedWidthTable, prepare_rows

__all__ = ["BrowseScreen"]

_NAME_WIDTH = (12, 32)
_WATCH_REASONS = ("seed", "audit", "manual", NO_WATCH)


class BrowseScreen(Screen[None]):
    """Projects × targets, searchable, filterable and sortable."""

    AUTO_FOCUS = "#projects"
    BINDINGS = [
        *GLOBAL_KEYS,
        Binding("slash", "focus_search", "Search", key_display="/", priority=True),
        Binding("tab", "app.focus_next", "Filters", key_display="Tab"),
        Binding("s", "cycle_sort", "Sort"),
        Binding("escape", "leave_search", "Clear search", show=False),
        Binding("n", "sort('name')", "Sort name", show=False),
        # 1, 2, 3, ...: sort by the status on each target, oldest target first
        *(
            Binding(str(key), f"sort('{target}')", f"Sort {target}", show=False)
            for key, target in enumerate(TARGET_NAMES, start=1)
        ),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all_rows: list[BrowseRow] = []
        self.sorted_rows: list[BrowseRow] = []
        self.shown: list[BrowseRow] = []
        self.filters = Filters()
        self.sort_key = SortKey()
        self.source_text = ""
        #: The key of each cell of a row, in the rows' order (not the display order).
        self.column_keys: list[ColumnKey] = [ColumnKey(key) for key in CELL_KEYS]
        #: The target columns as shown, left to right (:func:`tui.rows.target_order`).
        self.targets_shown: tuple[str, ...] = ()
        self.name_width = _NAME_WIDTH[1]

    @property
    def fttrack(self) -> TuiContext:
        """The app, typed."""
        return cast("TuiContext", self.app)

    def compose(self) -> ComposeResult:
        # The table comes first in the DOM (so first in the focus chain: Tab goes
        # table → search → filters); the filter bar and the info line dock on top.
        yield FixedWidthTable(id="projects", cursor_type="row", zebra_stripes=True)
        with Vertical(id="browse-top"):
            yield Header()
            with Horizontal(id="filters"):
                yield SearchInput(
                    self.search_edited, placeholder="/ search projects", id="search", compact=True
                )
                yield Select(
                    [(s.value, s) for s in Status], prompt="any status", id="status", compact=True
                )
                yield Select(
                    [(t, t) for t in TARGET_NAMES], prompt="any target", id="target", compact=True
                )
                yield Select(
                    [(w, w) for w in _WATCH_REASONS], prompt="any watch", id="watch", compact=True
                )
                yield Checkbox("culprits", id="culprits", compact=True)
            yield Static("loading projects…", id="browse-info")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def table(self) -> FixedWidthTable:
        """The projects table."""
        return self.query_one("#projects", FixedWidthTable)

    def on_mount(self) -> None:
        """Set up the columns and start reading the source."""
        self.show_columns(target_order(self.fttrack.target))
        self.table.focus()
        self.action_reload()

    def show_columns(self, targets: tuple[str, ...]) -> None:
        """(Re)make the columns, the target columns in the order ``targets``: the name,
        the version and the first target fit in 80 columns."""
        if targets == self.targets_shown:
            return
        self.targets_shown = targets
        table = self.table
        table.clear(columns=True)
        table.add_column("project", key="name", width=self.name_width)
        table.add_column("version", key="version", width=12)
        for target in targets:
            table.add_column(target, key=target, width=14)
        table.add_column("watch", key="watch", width=7)
        table.add_column("maintainer says", key="classifier", width=16)
        if self.all_rows:
            self.refresh_rows()

    def judged_target_known(self, target: str) -> None:
        """The target being judged is known: its column comes first among the targets."""
        self.show_columns(target_order(target))

    # -- loading ---------------------------------------------------------------------------

    def action_reload(self) -> None:
        """Read every project from the source again. (No animated loading indicator:
        its frames would take the CPU from the worker that reads the rows.)"""
        self.query_one("#browse-info", Static).update("loading projects…", layout=False)
        self.load_projects()

    @work(thread=True, exclusive=True, group="projects")
    def load_projects(self) -> None:
        """Read every project's stored summary and build the rows (off the UI thread).

        A few hundred thousand long-lived objects for 15,000 projects: made with the
        collector paused, then frozen out of the later collections.
        """
        app = self.fttrack
        try:
            with app.source_lock, paused_collector(freeze=True):
                summaries = app.source.summaries()
                source = app.source.describe()
                rows = build_rows(summaries)
                prepared = prepare_rows(self.column_keys, ((row.key, row.cells) for row in rows))
        except Exception as exc:
            self.post_message(WorkFailed("Cannot list projects", describe_error(exc)))
            return
        self.post_message(ProjectsLoaded(rows, source, prepared))
        try:
            with app.source_lock:
                target = app.resolve_target()
        except Exception as exc:
            self.post_message(WorkFailed("Cannot use the target", describe_error(exc)))
            return
        self.app.call_from_thread(self.judged_target_known, target)

    def on_projects_loaded(self, message: ProjectsLoaded) -> None:
        """Show the rows."""
        self.all_rows = message.rows
        self.source_text = message.source
        table = self.table
        longest = max((len(r.cells[0]) for r in message.rows), default=0)
        self.name_width = min(max(longest, _NAME_WIDTH[0]), _NAME_WIDTH[1])
        table.columns[ColumnKey("name")].width = self.name_width
        table.remember_rows(message.prepared)
        # rows come sorted by name, the default order
        sorted_by_name = self.sort_key == SortKey()
        self.sorted_rows = (
            message.rows if sorted_by_name else sort_rows(message.rows, self.sort_key)
        )
        self.refresh_rows()

    def on_work_failed(self, message: WorkFailed) -> None:
        """A dismissible notice; the screen stays usable."""
        self.query_one("#browse-info", Static).update(
            Text.assemble((message.what, "red"), f": {message.error}")
        )
        self.fttrack.report_error(message.what, message.error)

    # -- filtering and sorting -------------------------------------------------------------

    def refresh_rows(self) -> None:
        """Rebuild the table from the current filters and sort order."""
        selected = self.selected_name()
        self.shown = apply_filters(self.sorted_rows, self.filters)
        cursor = 0
        named = (
            self.shown
            and self.filters.query
            and self.shown[0].key == normalize_name(self.filters.query)
        )
        if selected is not None and not named:  # a search naming a project goes to it
            cursor = next((i for i, row in enumerate(self.shown) if row.key == selected), 0)
        self.table.show_rows([row.key for row in self.shown], cursor_row=cursor)
        self.update_info()

    def update_info(self) -> None:
        """The line above the table: counts, order, source."""
        total = len(self.all_rows)
        text = (
            f"{len(self.shown)} of {total} projects · sorted by {self.sort_key.describe()}"
            f" · * names a culprit · {self.source_text}"
        )
        info = Text(text, no_wrap=True, overflow="ellipsis")
        self.query_one("#browse-info", Static).update(info, layout=False)  # one fixed line

    def selected_name(self) -> str | None:
        """The project under the cursor, if any."""
        table = self.table
        if table.row_count == 0 or not self.shown:
            return None
        index = table.cursor_row
        return self.shown[index].key if 0 <= index < len(self.shown) else None

    def set_filters(self, **changes: Any) -> None:
        """Change some filters and redraw."""
        new = dataclasses.replace(self.filters, **changes)
        if new != self.filters:
            self.filters = new
            self.refresh_rows()

    def search_edited(self, value: str) -> None:
        """Filter as the user types (called by the search box as its value changes)."""
        self.set_filters(query=value)

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        """Enter in the search box moves to the table."""
        self.table.focus()

    @on(Select.Changed)
    def select_changed(self, event: Select.Changed) -> None:
        """A filter drop-down changed."""
        value = None if event.value is Select.NULL else event.value
        field = {"status": "status", "target": "target", "watch": "watch"}.get(
            event.select.id or ""
        )
        if field is not None:
            self.set_filters(**{field: value})

    @on(Checkbox.Changed, "#culprits")
    def culprits_changed(self, event: Checkbox.Changed) -> None:
        """Only projects that name a GIL culprit."""
        self.set_filters(culprits_only=event.value)

    def action_focus_search(self) -> None:
        """``/``: type to search."""
        self.query_one("#search", Input).focus()

    def action_leave_search(self) -> None:
        """Escape: leave the search box, or clear the search."""
        search = self.query_one("#search", Input)
        if search.has_focus:
            self.table.focus()
        elif search.value:
            search.value = ""

    def action_cycle_sort(self) -> None:
        """``s``: sort by the next column: name, then each target's status, left to right."""
        order: list[str | None] = [None, *self.targets_shown]
        index = order.index(self.sort_key.target) if self.sort_key.target in order else 0
        following = order[(index + 1) % len(order)]
        self.action_sort(following or "name")

    def action_sort(self, column: str) -> None:
        """Sort by name or by a target's status; the same key again flips the order."""
        target = None if column == "name" else column
        reverse = self.sort_key.target == target and not self.sort_key.reverse
        self.sort_key = SortKey(target, reverse)
        self.sorted_rows = sort_rows(self.all_rows, self.sort_key)
        self.refresh_rows()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Clicking a column header sorts by it."""
        key = str(event.column_key.value)
        if key == "name" or key in TARGET_NAMES:
            self.action_sort(key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter opens the project."""
        if event.row_key.value is not None:
            self.fttrack.open_project(str(event.row_key.value))
