"""A modal to choose the lockfile to audit: a directory tree, or a typed path."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Static

from tracker.audit.sources import detect_format

__all__ = ["LockfileTree", "PickerScreen"]


class LockfileTree(DirectoryTree):
    """A directory tree showing folders and the files ``fttrack audit`` can read.

    Typed text is not lost: a printable key (other than space, which toggles a
    folder) moves the focus to the path field and is typed there.
    """

    def on_key(self, event: events.Key) -> None:
        """Send typed characters to the path field."""
        if event.is_printable and event.character and event.character != " ":
            field = self.screen.query_one("#picker-path", Input)
            field.focus()
            field.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        """Directories (not hidden) and recognised dependency files."""
        return [
            path
            for path in paths
            if not path.name.startswith(".")
            and (path.is_dir() or detect_format(path.name) is not None)
        ]


class PickerScreen(ModalScreen[Path | None]):
    """Pick a lockfile, requirements file or pyproject.toml; Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start if start.is_dir() else Path.cwd()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="picker"):
            yield Static("Open a lockfile to audit", classes="dialog-title")
            yield Input(
                placeholder="type a path and press Enter, or Tab to the tree",
                id="picker-path",
                select_on_focus=False,
            )
            yield LockfileTree(self.start, id="picker-tree")
            yield Static("Enter: open · Tab: path / tree · Escape: cancel", classes="info")

    def on_mount(self) -> None:
        """Start in the path field: what is typed at once is kept."""
        self.query_one("#picker-path", Input).focus()

    @on(DirectoryTree.FileSelected)
    def file_selected(self, event: DirectoryTree.FileSelected) -> None:
        """A file chosen in the tree."""
        self.dismiss(Path(event.path))

    @on(Input.Submitted, "#picker-path")
    def path_typed(self, event: Input.Submitted) -> None:
        """A path typed by hand (a directory: its best dependency file)."""
        text = event.value.strip()
        if text:
            self.dismiss(Path(text).expanduser())

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
