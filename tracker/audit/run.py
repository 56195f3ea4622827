"""One audit, from the request to the reports: what ``fttrack audit`` and the TUI both run.

:func:`run_audit` reads the input (a file, a directory, ``-``, or the
distributions installed in an environment), chooses the target or targets
against the verdict source (:func:`tracker.verdicts.choose.choose_targets`),
optionally resolves the full pinned set with uv (``--resolve``), and judges
every dependency (:func:`tracker.audit.resolve.resolve`), once per target.
Rendering, the exit code and the terminal are the caller's::

    run = run_audit(AuditRequest("uv.lock", target="3.14t"), open_verdict_source())
    print(run.report.summary_line())
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import msgspec

from tracker.audit.graph import LockGraph, Selection, installed_only, unknown_choices
from tracker.audit.report import AuditEntry, AuditReport, MultiTargetReport
from tracker.audit.resolve import Lookup, ProbeMissing, resolve
from tracker.audit.sources.redact import redact_report
from tracker.errors import FttrackError, InputError
from tracker.models import BLOCKING_STATUSES, Dependency, Status, Target
from tracker.verdicts.choose import asks_every_target, choose_targets
from tracker.verdicts.interface import VerdictSource
from tracker.vocabulary import StressStatus

__all__ = [
    "AuditInput",
    "AuditRequest",
    "AuditRun",
    "ProbeMissingFactory",
    "read_input",
    "run_audit",
]

#: ``factory(target, platform)`` -> the ``probe_missing`` callback of
#: :func:`tracker.audit.resolve.resolve` for that target and platform.
ProbeMissingFactory = Callable[[str, str], ProbeMissing]

#: Where notes go as they arise (the CLI prints them on stderr at once).
NoteSink = Callable[[str], None]


class AuditRequest(msgspec.Struct, frozen=True):
    """What to audit and how: the options of ``fttrack audit`` without the rendering ones.

    ``path`` is a file, a directory (its best lockfile is chosen), ``-`` for
    standard input, or None for the distributions installed for ``python``.
    ``target`` is a :class:`~tracker.models.Target` or a name, ``all`` for every
    target of the source, or None for the newest one probed. ``platform`` None
    is this machine's. ``resolve_deps`` judges the full pinned set uv resolves from
    ``index_url`` (None: the configured index). ``probe_missing`` probes the
    projects the source does not know (see :mod:`tracker.ondemand`).
    """

    path: str | None = None
    target: Target | str | None = None
    platform: str | None = None
    format_in: str | None = None
    resolve_deps: bool = False
    python: str | None = None
    fail_on: frozenset[Status] = BLOCKING_STATUSES
    #: Stress statuses that fail the audit too (``--fail-on races``); none by default.
    fail_on_stress: frozenset[StressStatus] = frozenset()
    fail_on_likely: bool = True
    probe_missing: ProbeMissingFactory | None = None
    index_url: str | None = None
    #: Which of the project's extras and dependency groups a lockfile's walk installs.
    selection: Selection = Selection()
    #: Never ask the index for pins the verdict source does not know (``--offline``,
    #: or ``FTTRACK_OFFLINE=1``).
    offline: bool = False

    @property
    def every_target(self) -> bool:
        """Whether one report per target of the source is asked for (``--target all``)."""
        return asks_every_target(self.target)


class AuditInput(msgspec.Struct, frozen=True):
    """The dependencies read from a request's input, before any target is chosen."""

    dependencies: tuple[Dependency, ...]
    #: The input as reports name it: the file read, ``<stdin>``, or the environment.
    name: str
    #: The input format (``requirements``, ``uv.lock``, ..., ``installed``).
    format_name: str
    #: Standard input's text, kept when ``--resolve`` has to hand it to uv.
    stdin_text: str | None = None
    #: What was worth saying while reading (e.g. which file of a directory was chosen).
    note: str = ""
    #: The lockfile's dependency graph: only what it installs on a target is judged.
    graph: LockGraph | None = None


class AuditRun(msgspec.Struct, frozen=True):
    """The reports of one audit, one per target judged, and the notes it made."""

    reports: tuple[AuditReport, ...]
    #: The default target: the one asked for, else the newest one probed; its report
    #: decides the exit code.
    default_target: str
    every_target: bool
    #: One line each, in the order they arose: the input, the target, ``--resolve``.
    notes: tuple[str, ...] = ()

    @property
    def report(self) -> AuditReport:
        """The default target's report."""
        return next(r for r in self.reports if r.target == self.default_target)

    @property
    def multi(self) -> MultiTargetReport:
        """Every report as one table (``--target all``)."""
        return MultiTargetReport(self.reports, self.default_target)

    @property
    def blockers(self) -> tuple[AuditEntry, ...]:
        """The default target's blockers (none: exit code 0)."""
        return self.report.blockers

    def summary_lines(self) -> list[str]:
        """One summary line per report (the multi-target form when every target was asked)."""
        if self.every_target:
            return self.multi.summary_lines()
        return [self.report.summary_line()]


def read_input(request: AuditRequest) -> AuditInput:
    """Read the dependencies ``request`` names (no verdict source is needed yet).

    Raises :class:`~tracker.errors.InputError` for a missing, unreadable or
    malformed input.
    """
    if request.path is None:
        from tracker.audit.audited_environment import installed_environment

        environment = installed_environment(request.python)
        return AuditInput(environment.dependencies, environment.description, "installed")
    from tracker.audit.sources import detect_format, open_source, source_for

    if request.resolve_deps and request.path == "-":
        from tracker.audit.sources.interface import read_text

        text = read_text("-")
        format_name = request.format_in or "requirements"
        dependencies = tuple(source_for(format_name, "-", text=text))
        return AuditInput(dependencies, "<stdin>", format_name, stdin_text=text)
    opened = open_source(request.path, request.format_in)
    chosen = opened.source.path
    dependencies = tuple(opened.source)
    graph = getattr(opened.source, "graph", None)
    return AuditInput(
        dependencies,
        chosen if request.path != "-" else "<stdin>",
        request.format_in or detect_format(chosen) or "requirements",
        note="; ".join(n for n in (opened.note, graph.note if graph else "") if n),
        graph=graph,
    )


def run_audit(
    request: AuditRequest,
    source: VerdictSource | Callable[[], VerdictSource],
    *,
    on_note: NoteSink | None = None,
    read: AuditInput | None = None,
) -> AuditRun:
    """Run the audit ``request`` describes against ``source``.

    ``source`` is a verdict source, or a function that opens one: it is called
    once the input is read, so a bad input is reported before a bad source (as
    ``fttrack audit`` does) and nothing is opened for an unreadable file.

    Reads the input, chooses the targets (:func:`~tracker.verdicts.choose.choose_targets`),
    resolves the full pinned set per target when ``request.resolve_deps`` is set, and
    judges every dependency once per target. Each note (the file chosen in a
    directory, a target resting on wheel tags alone, sdists uv needed) is passed
    to ``on_note`` as it arises and kept in :attr:`AuditRun.notes`. ``read`` is the
    input when the caller has read it already (:func:`read_input`, e.g. before
    taking a lock on a shared source).

    Raises :class:`~tracker.errors.InputError` for bad input and
    :class:`~tracker.errors.SourceError` for an unusable source or target; with
    ``resolve_deps``, :class:`~tracker.audit.transitive.ResolutionError` when uv fails.
    """
    notes: list[str] = []

    def note(text: str | None) -> None:
        if text:
            notes.append(text)
            if on_note is not None:
                on_note(text)

    if read is None:
        read = read_input(request)
    if read.graph is not None:
        wrong = unknown_choices(read.graph, request.selection)
        if wrong:
            raise InputError(read.name, f"the project has no {', '.join(wrong)}")
    note(read.note)
    if not isinstance(source, VerdictSource):
        source = source()
    targets, default = choose_targets(source, request.target)
    note(default.note(source))
    platform = request.platform
    if platform is None:
        from tracker.wheels import this_platform

        platform = this_platform()
    kind = source.kind
    reports = []
    for target in targets:
        dependencies = read.dependencies
        if request.resolve_deps and request.path is not None:
            dependencies = _resolved(request, read, target, platform, note)
        elif read.graph is not None:
            dependencies = installed_only(
                dependencies, read.graph, target, platform, request.selection
            )
        callback = request.probe_missing(target, platform) if request.probe_missing else None
        reports.append(
            redact_report(
                resolve(
                    dependencies,
                    source,
                    target=target,
                    platform=platform,
                    input_name=read.name,
                    kind=kind,
                    fail_on=request.fail_on,
                    fail_on_stress=request.fail_on_stress,
                    fail_on_likely=request.fail_on_likely,
                    probe_missing=callback,
                    lookup=None if _offline(request) else _index_lookup(request),
                )
            )
        )
    unknown = sum(1 for r in reports for e in r.entries if e.status is Status.UNKNOWN)
    if unknown:
        where = "offline, " if _offline(request) else ""
        note(
            f"{unknown} {'pin is' if unknown == 1 else 'pins are'} unknown ({where}not in the "
            "verdict data, no files to judge): --probe-missing probes them; a newer snapshot "
            "or --server knows more"
        )
    return AuditRun(tuple(reports), default.target, request.every_target, tuple(notes))


def _offline(request: AuditRequest) -> bool:
    """Whether the audit may not ask the index (``--offline`` or ``FTTRACK_OFFLINE=1``)."""
    import os

    from tracker.audit.lookup import OFFLINE_VARIABLE

    return request.offline or os.environ.get(OFFLINE_VARIABLE, "") not in ("", "0")


def _index_lookup(request: AuditRequest) -> Lookup:
    """The resolver's ``lookup``: unknown pins' files from the configured index."""

    def lookup(pins: Sequence[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, ...]]:
        from tracker.audit.lookup import index_files

        index_url = request.index_url
        if index_url is None:
            from tracker.config import load_settings

            try:
                index_url = load_settings().require_index_url()
            except FttrackError:
                return {}
        return index_files(pins, index_url=index_url)

    return lookup


def _resolved(
    request: AuditRequest,
    read: AuditInput,
    target: str,
    platform: str,
    note: Callable[[str | None], None],
) -> tuple[Dependency, ...]:
    """``--resolve``: the full pinned set for ``target`` (a note if sdists were needed)."""
    from tracker.audit.transitive import resolve_requirements

    assert request.path is not None
    index_url = request.index_url
    if index_url is None:
        from tracker.config import load_settings

        index_url = load_settings().require_index_url()
    resolved = resolve_requirements(
        request.path,
        format_name=read.format_name,
        target=target,
        platform=platform,
        index_url=index_url,
        direct=list(read.dependencies),
        stdin_text=read.stdin_text,
    )
    note(resolved.note)
    return tuple(resolved.dependencies)
