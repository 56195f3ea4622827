"""The project detail screen: versions down the side, targets × platforms across,
and below, a compact panel on the release and target under the cursor.

The project's document is read on demand (``source.project(name)``, in a
worker); the panel's verdict is :func:`tracker.documents.effective_verdict`
and the first ready / first wheel versions come from the stored summary.
The version column stays in view (a fixed column) and the platforms this
machine runs come first, so the grid opens on what matters here.
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.documents import (
    TARGET_NAMES,
    ProjectDocument,
    ProjectSummary,
    ReleaseDocument,
    TargetVerdict,
    claims_of,
    current_release,
    effective_verdict,
)
from tracker.vocabulary import CLAIM_RECORDS, ClaimFlag
from tui.context import PUBLIC_URL_HINT, TuiContext, describe_error
from tui.grid import (
    GridColumn,
    badge_markdown,
    grid_cell,
    grid_columns,
    header_text,
    runnable,
    summary_of,
    verdict_panel,
)
from tui.keys import GLOBAL_KEYS
from tui.messages import DocumentLoaded, WorkFailed
from tui.widgets.table import FixedWidthTable

__all__ = ["DetailScreen", "claims_text"]

_CELL_WIDTH = 11


class DetailScreen(Screen[None]):
    """One project: every release's verdict per target and platform."""

    AUTO_FOCUS = "#grid"
    BINDINGS = [
        *GLOBAL_KEYS,
        Binding("escape", "app.pop_screen", "Back"),
        Binding("b", "badge", "Badge"),
        Binding("t", "toggle_details", "Probe details"),
    ]

    def __init__(self, name: str, version: str | None = None) -> None:
        super().__init__()
        self.project_name = name
        #: The release to start on (None: the current release).
        self.start_version = version
        self.document: ProjectDocument | None = None
        self.summary: ProjectSummary | None = None
        self.columns: list[GridColumn] = []
        self.release_list: list[ReleaseDocument] = []
        self.details = False
        self._verdicts: dict[tuple[int, str], TargetVerdict | None] = {}

    @property
    def fttrack(self) -> TuiContext:
        """The app, typed."""
        return cast("TuiContext", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.project_name, id="detail-header")
        yield Static("", id="detail-claims")
        yield FixedWidthTable(
            id="grid", cursor_type="cell", header_height=2, zebra_stripes=True, fixed_columns=1
        )
        with VerticalScroll(id="verdict-scroll"):
            yield Static("", id="verdict")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def grid(self) -> FixedWidthTable:
        """The versions × targets grid."""
        return self.query_one("#grid", FixedWidthTable)

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
        app = self.fttrack
        try:
            document = app.project_document(self.project_name)
            with app.source_lock:
                app.resolve_platform()
        except Exception as exc:
            self.post_message(WorkFailed(f"Cannot read {self.project_name}", describe_error(exc)))
            return
        self.post_message(DocumentLoaded(self.project_name, document))

    def on_document_loaded(self, message: DocumentLoaded) -> None:
        """Show what arrived (or say the project is not tracked)."""
        self.grid.loading = False
        if message.document is None:
            where = self.fttrack.source.describe()
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

    def show(self, document: ProjectDocument) -> None:
        """Fill the header, the grid and the panel."""
        self.document = document
        summary = self.summary = summary_of(document)
        self._verdicts.clear()
        self.query_one("#detail-header", Static).update(header_text(document, summary))
        mismatches = claims_text(document)
        claims = self.query_one("#detail-claims", Static)
        claims.update(mismatches)
        claims.display = bool(mismatches)
        self.columns = grid_columns(document, self.fttrack.platform)
        self.release_list = list(document.releases)
        first = {t: summary.cell(t).first_ready for t in TARGET_NAMES}
        versions = [r.version + (" (yanked)" if r.yanked else "") for r in self.release_list]
        grid = self.grid
        grid.clear(columns=True)
        grid.add_column("version", key="version", width=max(7, *map(len, versions)))
        for column in self.columns:
            grid.add_column(column.label, key=column.key, width=_CELL_WIDTH)
        keys = _row_keys(self.release_list)
        grid.replace_rows(
            (
                key,
                (
                    Text(version, no_wrap=True, end=""),
                    *(grid_cell(release, c, first[c.target]) for c in self.columns),
                ),
            )
            for key, release, version in zip(keys, self.release_list, versions, strict=True)
        )
        self.place_cursor()

    def place_cursor(self) -> None:
        """Start on the release asked for (else the current one), in the first column of
        the app's target that this machine can run; the version column stays in view."""
        start = _find_release(self.release_list, self.start_version)
        if start is None:
            start = current_release(self.release_list)
        row = next((i for i, r in enumerate(self.release_list) if r is start), 0)
        target = self.fttrack.target or TARGET_NAMES[-1]
        platform = self.fttrack.platform
        column = next(
            (
                i
                for i, c in enumerate(self.columns)
                if c.target == target and runnable(c.platform, platform)
            ),
            next((i for i, c in enumerate(self.columns) if c.target == target), 0),
        )
        self.grid.move_cursor(row=row, column=column + 1, animate=False)
        self.grid.scroll_to(x=0, animate=False, immediate=True)
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

    def verdict_of(self, row: int, target: str) -> TargetVerdict | None:
        """The effective verdict of the release at ``row`` on ``target`` (remembered)."""
        key = (row, target)
        if key not in self._verdicts:
            release = self.release_list[row]
            self._verdicts[key] = effective_verdict(self.release_list, release, target)
        return self._verdicts[key]

    def update_panel(self, row: int | None = None, column: int | None = None) -> None:
        """Fill the panel for the release at ``row`` and the target at ``column``
        (default: under the cursor)."""
        if self.document is None or self.summary is None:
            return
        row = self.grid.cursor_row if row is None else row
        if not 0 <= row < len(self.release_list):
            return
        target = self.cursor_target(column)
        panel = verdict_panel(
            self.document,
            self.release_list[row],
            target,
            self.verdict_of(row, target),
            summary=self.summary,
            details=self.details,
        )
        self.query_one("#verdict", Static).update(panel)

    def action_toggle_details(self) -> None:
        """``t``: show or hide the probe's modules, per-module timings and stderr."""
        self.details = not self.details
        self.update_panel()

    def action_badge(self) -> None:
        """Copy the badge markdown for the target under the cursor (needs a public URL)."""

        public_url = self.fttrack.public_url
        if public_url is None:
            self.notify(
                PUBLIC_URL_HINT, title="No public URL", severity="warning", timeout=12, markup=False
            )
            return
        target = self.cursor_target()
        markdown = badge_markdown(public_url, self.project_name, target)
        self.app.copy_to_clipboard(markdown)
        self.notify(markdown, title=f"Badge for {target} copied", timeout=8, markup=False)


def claims_text(document: ProjectDocument) -> Text:
    """The current release's claim mismatches (:func:`tracker.documents.claims_of`), one
    line per mismatch with the targets it is raised on; empty when the claims match."""
    current = current_release(document.releases)
    if current is None:
        return Text()
    targets: dict[ClaimFlag, list[str]] = {}
    for check in claims_of(document, current=current):
        if check.version == current.version:
            for flag in check.flags:
                targets.setdefault(flag, []).append(check.target)
    text = Text()
    for flag, where in targets.items():
        record = CLAIM_RECORDS[flag]
        if text:
            text.append("\n")
        text.append(f"{current.version} on {', '.join(where)}: ", style="bold")
        text.append(record.label, style="yellow" if record.contradiction else "cyan")
        text.append(f" ({flag.value}): {record.description}", style="dim")
    return text


def _find_release(releases: list[ReleaseDocument], version: str | None) -> ReleaseDocument | None:
    """The release of ``version`` (compared as versions: ``1.0`` is ``1.0.0``), or None."""
    if not version:
        return None
    exact = next((r for r in releases if r.version == version), None)
    if exact is not None:
        return exact
    from packaging.version import InvalidVersion, Version

    try:
        wanted = Version(version)
    except InvalidVersion:
        return None
    for release in releases:
        try:
            if Version(release.version) == wanted:
                return release
        except InvalidVersion:
            continue
    return None


def _row_keys(releases: list[ReleaseDocument]) -> list[str]:
    """One key per release: its version (a repeated version gets ``#n``)."""
    keys: list[str] = []
    seen: set[str] = set()
    for index, release in enumerate(releases):
        key = release.version if release.version not in seen else f"{release.version}#{index}"
        seen.add(key)
        keys.append(key)
    return keys
