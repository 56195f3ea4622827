"""A modal asking how and where to export the audit report."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from tracker.formats import FORMAT_NAMES

__all__ = ["EXTENSIONS", "ExportScreen", "default_export_path"]

#: File suffix per report format.
EXTENSIONS = {"json": ".json", "markdown": ".md", "table": ".txt", "github": ".txt"}


def default_export_path(format_name: str, directory: Path | None = None) -> Path:
    """``fttrack-audit.<ext>`` in ``directory`` (default: relative, the working directory)."""
    name = f"fttrack-audit{EXTENSIONS.get(format_name, '.txt')}"
    return directory / name if directory is not None else Path(name)


class ExportScreen(ModalScreen[tuple[str, Path] | None]):
    """Choose a report format (the auditor's formatters) and a file; Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, directory: Path | None = None, format_name: str = "json") -> None:
        super().__init__()
        self.directory = directory
        self.format_name = format_name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Export the audit report", classes="dialog-title")
            yield Select(
                [(name, name) for name in FORMAT_NAMES],
                value=self.format_name,
                allow_blank=False,
                id="export-format",
            )
            yield Input(
                str(default_export_path(self.format_name, self.directory)), id="export-path"
            )
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="export-cancel")
                yield Button("Save", id="export-save", variant="primary")

    def on_mount(self) -> None:
        """Start on the path."""
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#export-format")
    def format_changed(self, event: Select.Changed) -> None:
        """Keep the file suffix in step with the format."""
        if event.value is Select.NULL:
            return
        self.format_name = str(event.value)
        field = self.query_one("#export-path", Input)
        path = Path(field.value or default_export_path(self.format_name, self.directory))
        field.value = str(path.with_suffix(EXTENSIONS.get(self.format_name, ".txt")))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-save")
    def save(self) -> None:
        """Answer with the format and the path."""
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.notify("give a file name", severity="warning")
            return
        self.dismiss((self.format_name, Path(text).expanduser()))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
