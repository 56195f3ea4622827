"""The fttrack TUI application: browse verdicts, open a project, audit a lockfile.

The app owns the verdict source (the same objects ``fttrack audit`` builds) and
a lock that serializes every call into it: screens call the source only from
thread workers, under :attr:`FttrackApp.source_lock`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from tracker.documents import ProjectDocument
from tracker.models import get_target
from tracker.verdicts.choose import choose_target
from tracker.verdicts.interface import VerdictSource
from tui.context import resolve_public_url
from tui.screens.browse import BrowseScreen

__all__ = ["FttrackApp"]


class FttrackApp(App[None]):
    """``fttrack tui``: every tracked project, its verdicts, and your lockfile's audit."""

    TITLE = "fttrack"
    SUB_TITLE = "can we drop the GIL yet?"
    CSS_PATH = [
        "app.tcss",
        "screens/browse.tcss",
        "screens/detail.tcss",
        "screens/audit.tcss",
        "screens/dialogs.tcss",
    ]
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("a", "audit", "Audit"),
        Binding("c", "changes", "Changes"),
    ]

    def __init__(
        self,
        source: VerdictSource,
        *,
        target: str | None = None,
        platform: str | None = None,
        lockfile: Path | None = None,
        public_url: str | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        self.source_lock = threading.Lock()
        self.target = get_target(target).name if target else None
        #: Whether the source holds probe verdicts on :attr:`target` (None: not known yet).
        self.target_probed: bool | None = None
        #: The target last checked against the source, and what to say when it rests
        #: on wheel tags alone.
        self.target_checked: str | None = None
        self.target_note: str | None = None
        self.platform = platform
        self.lockfile = lockfile
        server = getattr(source, "server", None)
        #: Where badges link to; None when no public address is configured.
        self.public_url = resolve_public_url(
            public_url, server if isinstance(server, str) else None
        )
        #: Project documents already read, by normalized name.
        self.documents: dict[str, ProjectDocument] = {}

    def get_default_screen(self) -> Screen[None]:
        """The browse screen is the root of the app."""
        return BrowseScreen()

    def on_mount(self) -> None:
        """Open the audit at once when a lockfile was given on the command line."""
        if self.lockfile is not None:
            self.action_audit()

    # -- used by workers (under source_lock) ---------------------------------------------

    def resolve_target(self) -> str:
        """The target to judge: the one asked for (checked against the source), else the
        newest one with probe verdicts (:func:`tracker.verdicts.choose.choose_target`,
        as ``fttrack audit`` chooses). Call with :attr:`source_lock` held."""
        if self.target is None or self.target_checked != self.target:
            choice = choose_target(self.source, self.target)
            self.target, self.target_probed = choice.target, choice.probed
            self.target_checked = choice.target
            self.target_note = choice.note(self.source)
        return self.target

    def resolve_platform(self) -> str:
        """The wheel platform to judge (and to show first): the one asked for, else
        this machine's (:func:`tracker.wheels.this_platform`)."""
        if self.platform is None:
            from tracker.wheels import this_platform

            self.platform = this_platform()
        return self.platform

    def project_document(self, name: str) -> ProjectDocument | None:
        """The document of ``name``: from memory, else from the source (in a worker)."""
        if name in self.documents:
            return self.documents[name]
        with self.source_lock:
            document = self.source.project(name)
        if document is not None:
            self.documents[name] = document
        return document

    # -- actions ---------------------------------------------------------------------------

    def action_help(self) -> None:
        """Show the keys."""
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_audit(self) -> None:
        """Open the audit screen (for the lockfile given, else ask for one)."""
        from tui.screens.audit import AuditScreen

        if not isinstance(self.screen, AuditScreen):
            self.push_screen(AuditScreen(self.lockfile))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``c`` (recent changes) works, and shows in the footer, on the browse screen only."""
        if action == "changes":
            return isinstance(self.screen, BrowseScreen)
        return True

    def action_changes(self) -> None:
        """Open the recent changes screen."""
        from tui.screens.changes import ChangesScreen

        if not isinstance(self.screen, ChangesScreen):
            self.push_screen(ChangesScreen())

    def open_project(self, name: str, version: str | None = None) -> None:
        """Show the detail screen of project ``name``, the cursor on release ``version``
        (default: the current release)."""
        from tui.screens.detail import DetailScreen

        self.push_screen(DetailScreen(name, version=version))

    def report_error(self, what: str, error: str) -> None:
        """A dismissible error notice (never a crash)."""
        self.notify(error, title=what, severity="error", timeout=10, markup=False)
