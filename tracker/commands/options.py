"""Click options shared by several commands, written once so their names and help agree.

:func:`verdict_source_options` adds ``--server``, ``--db`` and ``--snapshot``
(turned into a source by :func:`tracker.verdicts.choose.open_verdict_source`);
:func:`target_option` adds ``--target``, parsed to a :class:`~tracker.models.Target`
once. Without ``--target`` the value is None, and the target is chosen against
the source when it is open (:func:`tracker.verdicts.choose.choose_target`).
``fttrack audit``, ``fttrack status`` and ``fttrack tui`` use them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import click

from tracker.models import TARGETS, Target, get_target
from tracker.verdicts.choose import ALL_TARGETS, asks_every_target
from tracker.vocabulary import default_probe_targets

if TYPE_CHECKING:
    from tracker.config import Settings
    from tracker.probe.runner import ProbeRequest

__all__ = [
    "DB_HELP",
    "NEWEST_TARGET",
    "PROBE_TARGET_HELP",
    "SERVER_HELP",
    "SNAPSHOT_HELP",
    "TARGET_NAMES_HELP",
    "TargetValue",
    "parse_target",
    "release_request",
    "target_option",
    "verdict_source_options",
]

F = TypeVar("F", bound=Callable[..., object])

#: What ``--target`` gives the command: a target, ``"all"`` (where allowed), or None
#: for the default one (the newest the source holds probes for).
TargetValue = Target | Literal["all"] | None

SERVER_HELP = "Read verdicts from a fttrack server's API."
DB_HELP = "Read verdicts from a fttrack database."
SNAPSHOT_HELP = (
    "Read verdicts from this feed file (JSON or gzip JSON) [default: $FTTRACK_SNAPSHOT, "
    "else the shipped data/snapshot.json.gz]."
)

_NAMES = ", ".join(t.name for t in TARGETS)
#: Every target's name, from the vocabulary: ``3.13t, 3.14t, 3.15t`` (no help goes stale).
TARGET_NAMES_HELP = _NAMES
#: The newest target probed by default: ``fttrack probe`` and ``fttrack stress`` take it,
#: as ``fttrack audit`` takes the newest target probed in its source.
NEWEST_TARGET = default_probe_targets()[-1]
_DEFAULT_TARGET = "[default: the newest one probed in the source]"
#: ``--target``'s help where the command runs a probe itself (no source to ask).
PROBE_TARGET_HELP = f"Free-threaded target ({_NAMES}) [default: the newest, {NEWEST_TARGET}]."


def parse_target(_ctx: click.Context, _param: click.Parameter, value: str) -> Target:
    """Click callback: a target name (``3.14t``, ``3.14``, ``cp314t``) as a :class:`Target`."""
    try:
        return get_target(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def verdict_source_options(command: F) -> F:
    """Add ``--server URL``, ``--db URL`` and ``--snapshot PATH`` (at most one may be
    given; the command passes them to :func:`~tracker.verdicts.choose.open_verdict_source`)."""
    for option in reversed(
        (
            click.option("--server", metavar="URL", help=SERVER_HELP),
            click.option("--db", metavar="URL", help=DB_HELP),
            click.option(
                "--snapshot",
                metavar="PATH",
                type=click.Path(path_type=Path, dir_okay=False),
                help=SNAPSHOT_HELP,
            ),
        )
    ):
        command = option(command)
    return command


def target_option(*, allow_all: bool = False) -> Callable[[F], F]:
    """Add ``--target``: a name (``3.14t``, ``3.14``, ``cp314t``) parsed to a
    :class:`Target`, a :class:`click.BadParameter` for anything else; None when not
    given (the source decides: its newest probed target). With ``allow_all``,
    ``all`` is accepted too and given as the string ``"all"``."""

    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> TargetValue:
        if value is None:
            return None
        if allow_all and asks_every_target(value):
            return ALL_TARGETS
        return parse_target(ctx, param, value)

    if allow_all:
        metavar = "3.14t|all"
        text = f"Free-threaded target ({_NAMES}), or 'all' for one column per target"
    else:
        metavar = "3.14t"
        text = f"Free-threaded target ({_NAMES})"
    return click.option(
        "--target", metavar=metavar, callback=parse, help=f"{text} {_DEFAULT_TARGET}."
    )


def release_request(
    requirement: str | None,
    wheel: Path | None,
    find_links: tuple[Path, ...],
    index_url: str | None,
    offline: bool,
    settings: Settings,
) -> ProbeRequest:
    """The release ``fttrack probe`` and ``fttrack stress`` install: NAME[==VERSION] from
    the index, or ``--wheel`` (with its directory as a find-links, offline unless an
    index is named); a usage error unless exactly one of the two is given."""
    from tracker.probe.runner import ProbeRequest

    if (requirement is None) == (wheel is None):
        raise click.UsageError("give either NAME[==VERSION] or --wheel PATH")
    if wheel is not None:
        offline = offline or index_url is None
        find_links = (wheel.parent, *find_links)
    index = None if offline else (index_url or settings.require_index_url())
    return ProbeRequest(requirement=requirement, wheel=wheel, find_links=tuple(find_links),
                        index_url=index, offline=offline)  # fmt: skip
