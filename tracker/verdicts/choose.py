"""Which verdict source and which target: one answer for the CLI, the TUI and status.

:func:`open_verdict_source` builds the source the options name (a server, a
database, else a snapshot);
:func:`choose_target` checks a requested target against the source, or picks
the default (the newest target with probes), and says when a target rests on
wheel tags alone; :func:`choose_targets` adds ``all`` (every target of the
source, the default one deciding the exit code).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import msgspec

from tracker.documents import pick_default_target
from tracker.errors import SourceError
from tracker.models import Target, get_target
from tracker.verdicts.interface import VerdictSource

__all__ = [
    "ALL_TARGETS",
    "TargetChoice",
    "asks_every_target",
    "choose_target",
    "choose_targets",
    "open_verdict_source",
]

#: The ``--target`` value that asks for every target the source holds.
ALL_TARGETS: Final = "all"


def asks_every_target(requested: object) -> bool:
    """Whether a ``--target`` value is :data:`ALL_TARGETS` (any case, blanks aside)."""
    return isinstance(requested, str) and requested.strip().lower() == ALL_TARGETS


def open_verdict_source(
    server: str | None = None, db: str | None = None, snapshot: Path | None = None
) -> VerdictSource:
    """The verdict source the options name: a server, a database, else the snapshot
    (``snapshot`` or the shipped one). Naming more than one is a :class:`SourceError`."""
    chosen = [
        name
        for name, value in (("--server", server), ("--db", db), ("--snapshot", snapshot))
        if value
    ]
    if len(chosen) > 1:
        raise SourceError(f"choose one verdict source, not {' and '.join(chosen)}")
    if server:
        from tracker.verdicts.remote import RemoteSource

        return RemoteSource(server)
    if db:
        try:
            from tracker.verdicts.database import DatabaseSource
        except ModuleNotFoundError as exc:
            raise SourceError(f"--db: the database source needs {exc.name}") from None
        return DatabaseSource(db)
    from tracker.verdicts.snapshot import SnapshotSource

    return SnapshotSource(snapshot)


class TargetChoice(msgspec.Struct, frozen=True):
    """A target to judge, whether anything was probed there, and what to tell the user."""

    target: str
    probed: bool

    def note(self, source: VerdictSource) -> str | None:
        """One line when the target rests on wheel tags alone, else None."""
        if self.probed:
            return None
        return (
            f"nothing was probed on {self.target} in {source.describe()}: "
            "verdicts rest on wheel tags only"
        )


def choose_target(source: VerdictSource, requested: Target | str | None = None) -> TargetChoice:
    """The target ``requested`` (a :class:`Target`, or a name: ``3.14t``, ``3.14``,
    ``cp314t``), checked against the source; without one, the newest target with
    probe evidence (see :func:`tracker.documents.pick_default_target`). A target unknown
    to fttrack or to the source is a :class:`SourceError`."""
    probed = source.probed_targets()
    if requested is None:
        try:
            target, was_probed = pick_default_target(source.targets(), probed)
        except ValueError:
            raise SourceError(
                f"{source.describe()}: has no verdicts for any known target"
            ) from None
        return TargetChoice(target, was_probed)
    try:
        target = requested.name if isinstance(requested, Target) else get_target(requested).name
    except ValueError as exc:
        raise SourceError(f"--target: {exc}") from None
    available = source.targets()
    if target not in available:
        has = ", ".join(available) or "none"
        raise SourceError(
            f"--target {target}: {source.describe()} has no verdicts for it (has: {has})"
        )
    return TargetChoice(target, target in probed)


def choose_targets(
    source: VerdictSource, requested: Target | str | None = None
) -> tuple[tuple[str, ...], TargetChoice]:
    """The targets to judge and the default one (it decides an audit's exit code).

    ``requested`` is :data:`ALL_TARGETS` for every target the source holds, with
    the default chosen as if none was asked for; else one target, as
    :func:`choose_target` checks or picks it.
    """
    if asks_every_target(requested):
        default = choose_target(source, None)
        return tuple(source.targets()), default
    choice = choose_target(source, requested)
    return (choice.target,), choice
