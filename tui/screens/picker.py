"""A modal to choose the lockfile to audit: a directory tree, or a typed path."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Static

from tracker.audit.sources import detect_format

__all__ = ["LockfileTree", "PickerScreen"]


class LockfileTree(DirectoryTree):
    """A directory tree showing folders and the files ``fttrack audit`` can read."""

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
        with Vertical(classes="dialog"):
            yield Static("Open a lockfile to audit", classes="dialog-title")
            yield LockfileTree(self.start, id="picker-tree")
            yield Input(placeholder="…or type a path and press Enter", id="picker-path")
            yield Static("Enter: open · Escape: cancel", classes="info")

    def on_mount(self) -> None:
        """Start in the tree."""
        self.query_one(LockfileTree).focus()

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
