"""The help screen: every key of the TUI."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker.documents import TARGET_NAMES
from tracker.vocabulary import STATUS_RECORDS, by_severity
from tui.styles import status_style

__all__ = ["KEYS", "HelpScreen", "legend"]

#: (where, key, what it does), in the order shown.
KEYS: tuple[tuple[str, str, str], ...] = (
    ("anywhere", "?  F1", "this help (F1 also while typing in a field)"),
    ("anywhere", "q  Ctrl+Q", "quit (Ctrl+Q also while typing in a field)"),
    ("anywhere", "a", "audit a lockfile"),
    ("anywhere", "Escape", "go back (close a dialog, leave a screen, clear the search)"),
    ("browse", "/", "search projects (filters as you type; Enter returns to the table)"),
    ("browse", "Enter", "open the project under the cursor"),
    ("browse", "Tab", "table → search → filters (status, target, watch, culprits); Shift+Tab back"),
    ("browse", "s", "sort by the next column: name, then the status on each target"),
    (
        "browse",
        "  ".join(["n", *(str(key) for key in range(1, len(TARGET_NAMES) + 1))]),
        f"sort by name / status on {', '.join(TARGET_NAMES)} (again: reverse)",
    ),
    ("browse", "r", "read the verdict source again"),
    ("browse", "c", "recent changes: what changed between releases, newest first"),
    ("changes", "k", "show the next kind of change (every kind, then each one)"),
    ("changes", "Enter", "open the project of the change under the cursor"),
    ("project", "arrows", "move between versions (rows) and targets × platforms (columns)"),
    ("project", "t", "show or hide the probe's modules, per-module timings and stderr"),
    ("project", "b", "copy the badge markdown (needs FTTRACK_PUBLIC_URL) for the cursor's target"),
    ("audit", "o", "open another lockfile (a file tree, or type a path)"),
    ("audit", "Enter", "open the dependency's project"),
    ("audit", "t", "audit again for the next target"),
    ("audit", "✗  ?", "a proven blocker / a likely one (inferred from a neighbouring release)"),
    ("audit", "e", "export the report (json, markdown, table, github)"),
)

_MARKS = "★ marks the first ready version of a target; * a release that names a GIL culprit."


def legend() -> Text:
    """Every status, best first, in its colour (with its label in the grids when that
    is shorter), then what the marks mean."""
    text = Text("Statuses, best first (as the grids label them): ", style="dim")
    for index, status in enumerate(reversed(by_severity())):
        if index:
            text.append(" · ", style="dim")
        text.append(status.value, style=status_style(status))
        label = STATUS_RECORDS[status].label
        if label != status.value:
            text.append(f" ({label})", style="dim")
    text.append(f". {_MARKS}", style="dim")
    return text


class HelpScreen(ModalScreen[None]):
    """The keys, by screen; any of Escape, ? or q closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold", expand=True)
        table.add_column("screen", style="dim", no_wrap=True)
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("does")
        for where, key, what in KEYS:
            table.add_row(where, key, what)
        with VerticalScroll(classes="dialog"):
            yield Static("fttrack keys", classes="dialog-title")
            yield Static(table, id="help-keys")
            yield Static(legend())

    async def action_dismiss(self, result: None = None) -> None:
        """Close the help."""
        self.dismiss(result)
