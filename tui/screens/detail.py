"""The project detail screen: versions down the side, targets × platforms across,
and below, everything known about the release and target under the cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.verdicts.interface import ProjectDoc
from tracker.verdicts.listing import TARGET_NAMES, current_release
from tui.grid import (
    GridColumn,
    badge_markdown,
    grid_cell,
    grid_columns,
    header_text,
    releases,
    verdict_panel,
)
from tui.messages import DocumentLoaded, WorkFailed

if TYPE_CHECKING:
    from tui.app import FttrackApp

__all__ = ["DetailScreen"]


class DetailScreen(Screen[None]):
    """One project: every release's verdict per target and platform."""

    AUTO_FOCUS = "#grid"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("b", "badge", "Copy badge"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.project_name = name
        self.document: ProjectDoc | None = None
        self.columns: list[GridColumn] = []
        self.release_list: list[dict[str, Any]] = []

    @property
    def fttrack(self) -> FttrackApp:
        """The app, typed."""
        return cast("FttrackApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.project_name, id="detail-header")
        yield DataTable(id="grid", cursor_type="cell", header_height=2, zebra_stripes=True)
        with VerticalScroll(id="verdict-scroll"):
            yield Static("", id="verdict")
        yield Footer()

    @property
    def grid(self) -> DataTable[Any]:
        """The versions × targets grid."""
        return self.query_one("#grid", DataTable)

    def on_mount(self) -> None:
        """Show the document, reading it first if it is not in memory."""
        self.sub_title = self.project_name
        document = self.fttrack.documents.get(self.project_name)
        if document is not None:
            self.show(document)
        else:
            self.grid.loading = True
            self.load_document()

    @work(thread=True, exclusive=True, group="document")
    def load_document(self) -> None:
        """Ask the verdict source for the project (off the UI thread)."""
        try:
            document = self.fttrack.project_document(self.project_name)
        except Exception as exc:
            from tui.app import describe_error

            self.post_message(WorkFailed(f"Cannot read {self.project_name}", describe_error(exc)))
            return
        self.post_message(DocumentLoaded(self.project_name, document))

    def on_document_loaded(self, message: DocumentLoaded) -> None:
        """Show what arrived (or say the project is not tracked)."""
        self.grid.loading = False
        if message.document is None:
            where = self.fttrack.source.kind
            self.query_one("#detail-header", Static).update(
                Text.assemble((message.name, "bold"), f": not tracked by the {where}")
            )
            self.query_one("#verdict", Static).update(
                "The verdict source knows nothing about this project."
            )
            return
        self.show(message.document)

    def on_work_failed(self, message: WorkFailed) -> None:
        """A dismissible notice; Escape still goes back."""
        self.grid.loading = False
        self.query_one("#verdict", Static).update(Text(message.error, style="red"))
        self.fttrack.report_error(message.what, message.error)

    def show(self, document: ProjectDoc) -> None:
        """Fill the header, the grid and the panel."""
        self.document = document
        self.query_one("#detail-header", Static).update(header_text(document))
        self.columns = grid_columns(document)
        self.release_list = releases(document)
        grid = self.grid
        grid.clear(columns=True)
        grid.add_column("version", key="version")
        for column in self.columns:
            grid.add_column(column.label, key=column.key)
        for release in self.release_list:
            version = str(release["version"]) + (" (yanked)" if release.get("yanked") else "")
            cells = [grid_cell(document, release, c) for c in self.columns]
            grid.add_row(version, *cells, key=str(release["version"]))
        self.place_cursor()

    def place_cursor(self) -> None:
        """Start on the current release, in the first column of the app's target."""
        current = current_release(self.document or {})
        row = self.release_list.index(current) if current in self.release_list else 0
        target = self.fttrack.target or TARGET_NAMES[-1]
        column = next((i for i, c in enumerate(self.columns) if c.target == target), 0)
        self.grid.move_cursor(row=row, column=column + 1, animate=False)
        self.update_panel(row, column + 1)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        """Describe the release and target under the cursor."""
        self.update_panel(event.coordinate.row, event.coordinate.column)

    def cursor_target(self, column: int | None = None) -> str:
        """The target of the grid column under the cursor (the app's target on "version")."""
        index = (self.grid.cursor_column if column is None else column) - 1
        if 0 <= index < len(self.columns):
            return self.columns[index].target
        return self.fttrack.target or TARGET_NAMES[-1]

    def update_panel(self, row: int, column: int) -> None:
        """Fill the panel for the release at ``row`` and the target at ``column``."""
        if self.document is None or not 0 <= row < len(self.release_list):
            return
        release = self.release_list[row]
        target = self.cursor_target(column)
        self.query_one("#verdict", Static).update(verdict_panel(self.document, release, target))

    def action_badge(self) -> None:
        """Copy the badge markdown for the target under the cursor."""
        target = self.cursor_target()
        markdown = badge_markdown(self.fttrack.base_url, self.project_name, target)
        self.app.copy_to_clipboard(markdown)
        self.notify(markdown, title=f"Badge for {target} copied", timeout=8, markup=False)
