"""The interface every verdict source implements.

A verdict source answers one question: *what does the tracker know about
project NAME?* The answer is the **project document** of the feed format
(``name``, ``display_name``, ``classifier``, ``releases`` newest first, each
with per-target ``status``/``evidence``/``platforms``/``culprits``/``probe``,
and ``first_ready``), or ``None`` when the project is not tracked. Everything
else (which release, which target, which platform, which version fixes it) is
worked out by :mod:`tracker.audit.resolve` from that document, so a new
source only has to produce documents.

To add one (e.g. a database source), write a class with these three
methods and a ``kind`` attribute::

    class DatabaseSource:
        kind = "database"
        def __init__(self, url: str) -> None: ...
        def project(self, name: str) -> ProjectDoc | None: ...
        def targets(self) -> tuple[str, ...]: ...
        def describe(self) -> str: ...

Raise :class:`tracker.errors.SourceError` (one line, no traceback) when the
source itself is unusable; an unknown project is ``None``, not an error.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["ProjectDoc", "VerdictSource"]

#: A project document in the feed format (see the module docstring).
ProjectDoc = dict[str, Any]


@runtime_checkable
class VerdictSource(Protocol):
    """Where project documents come from: a snapshot file, a database, a server."""

    #: Short name of the implementation: ``snapshot``, ``remote``, ``database``.
    kind: str

    def project(self, name: str) -> ProjectDoc | None:
        """The document of project ``name`` (already normalized), or None if not tracked."""
        ...

    def targets(self) -> tuple[str, ...]:
        """Targets this source has verdicts for, e.g. ``("3.13t", "3.14t", "3.15t")``."""
        ...

    def describe(self) -> str:
        """One line for status output and reports: what this source is and how fresh."""
        ...
