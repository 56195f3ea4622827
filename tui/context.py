"""What the screens need from the app, without importing it (no screen ↔ app circle).

:class:`TuiContext` is the app as the screens see it: the verdict source and its
lock, the target and platform, the documents already read, and a few actions.
:class:`tui.app.FttrackApp` provides it; a screen reaches it as ``self.fttrack``.
Also here: one-line error text for notices, and the badge's public URL.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from tracker.documents import ProjectDocument
from tracker.errors import FttrackError
from tracker.verdicts.interface import VerdictSource

__all__ = ["PUBLIC_URL_HINT", "TuiContext", "describe_error", "resolve_public_url"]


class TuiContext(Protocol):
    """The app as its screens use it (see :class:`tui.app.FttrackApp`)."""

    source: VerdictSource
    source_lock: threading.Lock
    target: str | None
    target_note: str | None
    platform: str | None
    lockfile: Path | None
    public_url: str | None
    documents: dict[str, ProjectDocument]

    def resolve_target(self) -> str:
        """The target to judge (checked against the source); call with the lock held."""
        ...

    def resolve_platform(self) -> str:
        """The wheel platform to judge."""
        ...

    def project_document(self, name: str) -> ProjectDocument | None:
        """The document of ``name`` (read once, then from memory)."""
        ...

    def open_project(self, name: str, version: str | None = None) -> None:
        """Show the detail screen of ``name``, on release ``version`` (default: the current)."""
        ...

    def report_error(self, what: str, error: str) -> None:
        """Show an error notice."""
        ...


#: What to do when no public URL is configured (shown when ``b`` is pressed).
PUBLIC_URL_HINT = (
    "Badges link to your tracker's public address: set FTTRACK_PUBLIC_URL "
    "(or public_url in the [fttrack] table of the config file, or pass --public-url), "
    "e.g. FTTRACK_PUBLIC_URL=https://fttrack.example.org"
)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_public_url(explicit: str | None, server: str | None) -> str | None:
    """The public address badges link to: ``explicit`` (``--public-url``), else
    ``FTTRACK_PUBLIC_URL`` or the ``public_url`` setting, else ``server`` when it is
    not a loopback address; None when nothing public is known."""
    if explicit:
        return explicit.rstrip("/")
    from tracker.config import load_settings

    try:
        configured = load_settings().public_url
    except FttrackError:
        configured = os.environ.get("FTTRACK_PUBLIC_URL") or None
    if configured:
        return configured.rstrip("/")
    if server and not _is_loopback(server):
        return server.rstrip("/")
    return None


def describe_error(exc: BaseException) -> str:
    """One line for a notice: fttrack's own message, else the exception's type and text."""
    if isinstance(exc, FttrackError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
