"""The verdict rules over a project's history: summaries, first ready, inference.

The definitions (one place for each) are those of :mod:`tracker.documents`;
a summary is computed here, by :func:`summarize`, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tracker.documents.shapes import (
    TARGET_NAMES,
    UNKNOWN_TARGET,
    ProjectDocument,
    ProjectSummary,
    ReleaseDocument,
    StressSummary,
    SummaryFeed,
    TargetSummary,
    TargetVerdict,
)
from tracker.models import Evidence, Status
from tracker.releases import is_prerelease, version_key
from tracker.vocabulary import BLOCKING_STATUSES, SAFE_STATUSES, WHEEL_STATUSES

__all__ = [
    "current_release",
    "effective_verdict",
    "first_ready",
    "first_wheel",
    "head_settles",
    "newer_in_history",
    "pick_default_target",
    "probed_targets",
    "status_counts",
    "summaries_of",
    "summarize",
    "summarized",
    "summary_feed",
    "target_lost",
]

_CULPRITS_IN_SUMMARY = 3
#: Statuses a :func:`first_wheel` run is made of: safe without the GIL, or a
#: free-threaded wheel that nothing found blocked (ready, pure, wheel-only).
_UNBLOCKED_WHEEL = SAFE_STATUSES | (WHEEL_STATUSES - BLOCKING_STATUSES)


def current_release(releases: Sequence[ReleaseDocument]) -> ReleaseDocument | None:
    """The release a list or a badge speaks of: the newest non-yanked final release,
    else the newest non-yanked one, else the newest (None without releases).

    >>> rs = [ReleaseDocument("2.0rc1"), ReleaseDocument("1.9"), ReleaseDocument("1.8")]
    >>> current_release(rs).version
    '1.9'
    """
    live = [r for r in releases if not r.yanked]
    finals = [r for r in live if not is_prerelease(r.version)]
    for group in (finals, live, releases):
        if group:
            return max(group, key=lambda r: version_key(r.version))
    return None


def newer_in_history(releases: Sequence[ReleaseDocument], version: str, than: str) -> bool:
    """Whether release ``version`` comes before release ``than`` in ``releases`` (newest
    first, see :func:`newest_first`): newer by the history's own order, no version parsed.

    False when ``than`` comes first or ``version`` is not there before it (a head of a
    history holds the newest releases: what it lacks is older than what it holds).

    >>> history = [ReleaseDocument(v) for v in ("2.0", "1.10", "1.9")]
    >>> newer_in_history(history, "1.10", "1.9"), newer_in_history(history, "1.9", "1.10")
    (True, False)
    >>> newer_in_history(history, "0.1", "1.9"), newer_in_history(history, "1.9", "1.9")
    (False, False)
    """
    for release in releases:
        if release.version == than:
            return False
        if release.version == version:
            return True
    return False


def _ordered(releases: Sequence[ReleaseDocument]) -> Sequence[ReleaseDocument]:
    """``releases`` as they are: newest first by contract (see :func:`newest_first`)."""
    return releases


def _counted(ordered: Sequence[ReleaseDocument], target: str) -> list[ReleaseDocument]:
    """Counted releases on ``target`` (see the module docstring), in ``ordered``'s order."""
    counted = []
    for release in ordered:
        if release.yanked or is_prerelease(release.version):
            continue
        verdict = release.targets.get(target)
        if verdict is not None and (
            verdict.status in WHEEL_STATUSES
            # a probe counts, but for an sdist that did not build: it says no more than
            # the tags did
            or (verdict.evidence is Evidence.PROBE and verdict.status is not Status.SDIST_ONLY)
        ):
            counted.append(release)
    return counted


def _inferred_at(
    ordered: Sequence[ReleaseDocument], index: int, target: str
) -> TargetVerdict | None:
    """The inference rule, the one place it is written: the verdict of
    ``ordered[index]`` on ``target`` is its own, unless it is an unprobed
    free-threaded wheel (``wheel-only``); then it is the probe verdict of the
    nearest probed release of ``ordered`` (newer first on a tie), with evidence
    ``inferred`` and the version it stands on, unless that probe found no wheel
    to judge (``pure``, ``sdist-only``). Only the releases around ``index`` up to
    the nearest probed one are read (a lazily decoded history stays undecoded)."""
    own = ordered[index].targets.get(target)
    if own is None or own.status is not Status.WHEEL_ONLY:
        return own
    for distance in range(1, len(ordered)):  # nearest first; the newer one wins a tie
        for near in (index - distance, index + distance):
            if 0 <= near < len(ordered):
                source = ordered[near].targets.get(target)
                if source is not None and source.evidence is Evidence.PROBE:
                    if source.status in (Status.PURE, Status.SDIST_ONLY):
                        return own  # no wheel: nothing to infer
                    return TargetVerdict(
                        status=source.status,
                        evidence=Evidence.INFERRED,
                        platforms=own.platforms,
                        culprits=list(source.culprits),
                        probed_at=source.probed_at,
                        inferred_from=ordered[near].version,
                    )
    return own


def effective_verdict(
    releases: Sequence[ReleaseDocument], release: ReleaseDocument, target: str
) -> TargetVerdict | None:
    """The verdict of ``release`` on ``target``: its own, or, for an unprobed
    free-threaded wheel, the one inferred from the nearest probed release
    (the rule of :func:`_inferred_at`).

    ``releases`` is the project's history, newest first (see :func:`newest_first`);
    only the releases around ``release`` are looked at. None when the release
    has no verdict for the target.

    >>> new = ReleaseDocument("6.1.3", targets={"3.14t": TargetVerdict(
    ...     Status.GIL_REENABLED, Evidence.PROBE, probed_at="2026-11-26T01:00:00Z")})
    >>> old = ReleaseDocument("6.1.1", targets={"3.14t": TargetVerdict(Status.WHEEL_ONLY)})
    >>> v = effective_verdict([new, old], old, "3.14t")
    >>> v.status.value, v.evidence.value, v.inferred_from
    ('gil-reenabled', 'inferred', '6.1.3')
    """
    own = release.targets.get(target)
    if own is None or own.status is not Status.WHEEL_ONLY:
        return own
    index = next((i for i, r in enumerate(releases) if r is release), None)
    if index is None:
        index = next((i for i, r in enumerate(releases) if r.version == release.version), None)
    if index is None:
        return own
    return _inferred_at(releases, index, target)


def head_settles(head: Sequence[ReleaseDocument], release: ReleaseDocument, target: str) -> bool:
    """Whether :func:`effective_verdict` on ``head``, the newest releases of a longer
    history, gives ``release`` the verdict the whole history would.

    It does when the release's own verdict stands, or when the probed release it is
    inferred from lies nearer to it than any release outside the head could.

    >>> probed = ReleaseDocument("3", targets={"3.14t": TargetVerdict(
    ...     Status.READY, Evidence.PROBE)})
    >>> untried = [ReleaseDocument(v, targets={"3.14t": TargetVerdict(Status.WHEEL_ONLY)})
    ...     for v in ("2", "1")]
    >>> head_settles([probed, *untried], untried[0], "3.14t")
    True
    >>> head_settles([probed, *untried], untried[1], "3.14t")  # "0" could be probed
    False
    """
    own = release.targets.get(target)
    if own is None or own.status is not Status.WHEEL_ONLY:
        return True
    verdict = effective_verdict(head, release, target)
    if verdict is None or verdict.evidence is not Evidence.INFERRED:
        return False
    versions = [r.version for r in head]
    if release.version not in versions or verdict.inferred_from not in versions:
        return False
    index = versions.index(release.version)
    return abs(versions.index(verdict.inferred_from) - index) < len(head) - index


def _run_start(counted: list[ReleaseDocument], target: str, good: frozenset[Status]) -> str | None:
    """The oldest release of the newest unbroken run whose effective verdicts are all ``good``."""
    start = None
    for index, release in enumerate(counted):
        verdict = _inferred_at(counted, index, target)
        if verdict is None or verdict.status not in good:
            break
        start = release.version
    return start


def first_ready(releases: Sequence[ReleaseDocument], target: str) -> str | None:
    """The first ready version on ``target`` (see the module docstring).

    >>> def rel(v, s, e=Evidence.PROBE):
    ...     return ReleaseDocument(v, targets={"3.14t": TargetVerdict(s, e)})
    >>> first_ready([rel("3.0", Status.READY), rel("2.0", Status.WHEEL_ONLY, Evidence.TAGS),
    ...              rel("1.0", Status.GIL_REENABLED), rel("0.1", Status.PURE, Evidence.TAGS)],
    ...             "3.14t")  # 2.0 is inferred ready from 3.0, the newer of its neighbours
    '2.0'
    >>> first_ready([rel("2.0", Status.NO_FT_WHEEL, Evidence.TAGS), rel("1.0", Status.READY)],
    ...             "3.14t")
    '1.0'
    >>> first_ready([rel("1.0", Status.PURE, Evidence.TAGS)], "3.14t") is None
    True
    """
    counted = _counted(_ordered(releases), target)
    return _run_start(counted, target, frozenset({Status.READY, Status.PURE}))


def target_lost(releases: Sequence[ReleaseDocument], target: str) -> tuple[str, str] | None:
    """(the newest release with a free-threaded wheel for ``target``, the oldest final
    release after it) when every final release after it ships binary wheels but none
    for the target (pandas on 3.13t: ``("3.0.3", "3.0.4")``); None otherwise.

    :func:`first_ready` skips such releases (they say nothing about readiness), so a
    first ready version can start a range that ends here: an upgrade hint names both.

    >>> def rel(v, s):
    ...     return ReleaseDocument(v, targets={"3.13t": TargetVerdict(s)})
    >>> target_lost([rel("3.0.5", Status.NO_FT_WHEEL), rel("3.0.4", Status.NO_FT_WHEEL),
    ...              rel("3.0.3", Status.READY)], "3.13t")
    ('3.0.3', '3.0.4')
    >>> target_lost([rel("3.0.3", Status.READY)], "3.13t") is None
    True
    """
    after = None
    for release in _ordered(releases):
        if release.yanked or is_prerelease(release.version):
            continue
        verdict = release.targets.get(target)
        if verdict is None:
            continue
        if verdict.status in WHEEL_STATUSES:
            return (release.version, after) if after is not None else None
        if verdict.status is Status.NO_FT_WHEEL:
            after = release.version
    return None


def first_wheel(releases: Sequence[ReleaseDocument], target: str) -> str | None:
    """The oldest release from which every newer counted release has a free-threaded
    wheel that no probe found blocked (an untested upgrade target)."""
    start = None
    for release in _counted(_ordered(releases), target):
        if release.targets[target].status not in _UNBLOCKED_WHEEL:
            break
        start = release.version
    return start


def _target_summary(
    ordered: Sequence[ReleaseDocument], current: ReleaseDocument | None, target: str
) -> TargetSummary:
    probed = sum(
        1
        for r in ordered
        if (v := r.targets.get(target)) is not None and v.evidence is Evidence.PROBE
    )
    verdict = None
    if current is not None:
        verdict = _inferred_at(
            ordered, next(i for i, r in enumerate(ordered) if r is current), target
        )
    ready = first_ready(ordered, target)
    wheel = first_wheel(ordered, target)
    stress = _stress_summary(None if current is None else current.targets.get(target))
    if verdict is None:
        return TargetSummary(first_ready=ready, first_wheel=wheel, probed=probed)
    culprits = list(verdict.culprits)
    return TargetSummary(
        status=verdict.status,
        evidence=verdict.evidence,
        checked=verdict.probed_at[:10] if verdict.probed_at else None,
        inferred_from=verdict.inferred_from,
        culprits=culprits[:_CULPRITS_IN_SUMMARY],
        more_culprits=max(0, len(culprits) - _CULPRITS_IN_SUMMARY),
        first_ready=ready,
        first_wheel=wheel if wheel != ready else None,
        probed=probed,
        stress=stress,
    )


def _stress_summary(own: TargetVerdict | None) -> StressSummary | None:
    """The summary of a release's own stress result (None without one): never inferred.

    >>> from tracker.documents.shapes import StressBlock
    >>> from tracker.vocabulary import StressStatus
    >>> v = TargetVerdict(Status.READY, Evidence.PROBE, stress=StressBlock(
    ...     StressStatus.RACES, stressed_at="2026-12-06T10:00:00Z"))
    >>> _stress_summary(v)
    StressSummary(status=<StressStatus.RACES: 'races'>, checked='2026-12-06')
    """
    if own is None or own.stress is None:
        return None
    stamp = own.stress.stressed_at
    return StressSummary(status=own.stress.status, checked=stamp[:10] if stamp else None)


def summarize(document: ProjectDocument) -> ProjectSummary:
    """The summary of a project document: the one place a summary is computed.

    >>> doc = ProjectDocument("six", releases=[ReleaseDocument("1.17.0",
    ...     targets={"3.14t": TargetVerdict(Status.PURE, platforms=["any"])})])
    >>> s = summarize(doc)
    >>> s.cell("3.14t").status.value, s.cell("3.13t").status.value, s.version
    ('pure', 'unknown', '1.17.0')
    """
    releases = _ordered(document.releases)
    current = current_release(releases)
    probe_times = [
        v.probed_at for r in releases for v in r.targets.values() if v.probed_at is not None
    ]
    targets = {t: _target_summary(releases, current, t) for t in TARGET_NAMES}
    return ProjectSummary(
        name=document.name,
        display_name=document.display_name if document.display_name != document.name else "",
        version=None if current is None else current.version,
        classifier=document.classifier,
        watch_reason=document.watch_reason,
        last_probe=max(probe_times) if probe_times else None,
        release_count=len(releases),
        targets={t: s for t, s in targets.items() if s != UNKNOWN_TARGET},
    )


def summarized(document: ProjectDocument) -> ProjectDocument:
    """``document`` with its summary computed (see :func:`summarize`), for chaining."""
    document.summary = summarize(document)
    return document


def summaries_of(documents: Iterable[ProjectDocument]) -> list[ProjectSummary]:
    """The summary of each document (computed when the document does not carry one)."""
    return [d.summary if d.summary is not None else summarize(d) for d in documents]


def status_counts(summaries: Iterable[ProjectSummary]) -> dict[str, dict[str, int]]:
    """Per target, how many projects' current releases have each status (every status listed).

    >>> status_counts([ProjectSummary("six", targets={"3.14t": TargetSummary(Status.PURE)})])[
    ...     "3.14t"]["pure"]
    1
    """
    counts = {t: dict.fromkeys((s.value for s in Status), 0) for t in TARGET_NAMES}
    for summary in summaries:
        for target in TARGET_NAMES:
            counts[target][summary.cell(target).status.value] += 1
    return counts


def summary_feed(
    summaries: Iterable[ProjectSummary], *, generated: str | None = None
) -> SummaryFeed:
    """The summary feed of ``summaries``, sorted by name, stamped now unless ``generated``."""
    from datetime import UTC, datetime

    stamp = generated or datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return SummaryFeed(generated=stamp, projects=sorted(summaries, key=lambda s: s.name))


def probed_targets(summaries: Iterable[ProjectSummary]) -> tuple[str, ...]:
    """Targets on which any of ``summaries`` had a release probed, oldest target first."""
    seen = {t for s in summaries for t, cell in s.targets.items() if cell.probed}
    return tuple(t for t in TARGET_NAMES if t in seen)


def pick_default_target(known: Iterable[str], probed: Iterable[str]) -> tuple[str, bool]:
    """The target to judge by default: the newest of ``known`` with probe evidence
    (``probed``), else the newest of ``known``; and whether it was probed.

    >>> pick_default_target(["3.13t", "3.14t", "3.15t"], ["3.13t", "3.14t"])
    ('3.14t', True)
    >>> pick_default_target(["3.14t", "3.15t"], [])
    ('3.15t', False)
    """
    order = {name: index for index, name in enumerate(TARGET_NAMES)}
    ours = sorted((t for t in known if t in order), key=order.__getitem__)
    if not ours:
        raise ValueError("no known target")
    tried = [t for t in ours if t in set(probed)]
    return (tried[-1], True) if tried else (ours[-1], False)
