"""The project document: one typed shape for every reader and writer of verdicts.

A **project document** is a project's whole history: every release, newest
first, with a verdict per target (status, evidence, platforms, culprits, the
probe behind it). A **project summary** is the line most readers need: per
target, the current release's verdict, culprits with owners, the first ready
version and the first version with a free-threaded wheel. Summaries are
computed here, by :func:`summarize`, and nowhere else; writers store them
beside the history (snapshot member, database row) so that lists, the feed,
badges and status never read history.

The shapes are :mod:`msgspec` structs (chosen over pydantic by
``bench/document_bench.py``: several times faster to decode the real
snapshot, a fraction of the import time, and free-threaded wheels). Fields at
their default value are omitted from JSON, which keeps a release whose
verdicts come from tags down to a few dozen bytes.

Documents are decoded only here (:func:`decode_document`,
:func:`decode_summary`, :func:`decode_summaries`); a malformed document is a
:class:`DocumentError` naming what was wrong, never a traceback.

Definitions (one place for each):

- *current release*: the newest non-yanked final release, else the newest
  non-yanked one, else the newest (:func:`current_release`).
- *counted release* on a target: a non-yanked final release that ships
  extension modules for the target (a free-threaded wheel: its verdict is a
  wheel status), or a pure release whose own probe judged it. Releases with
  no wheel for the target, and pure releases judged by tags alone, say
  nothing about readiness and are skipped.
- *first ready* on a target: the oldest counted release from which every newer
  counted release is ready (unprobed wheels count by inference). None when the
  newest counted release is not ready.
- *first wheel* on a target: the oldest counted release from which every newer
  counted release has a free-threaded wheel that no probe found blocked: the
  version an upgrade hint names, marked untested, when nothing is ready.
- *inferred verdict*: a release with a free-threaded wheel but no probe takes
  the probe verdict of the nearest probed release of the same project and
  target (newer first on a tie), with evidence ``inferred`` and the version it
  stands on (:func:`effective_verdict`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

import msgspec

from tracker.errors import SourceError
from tracker.models import TARGETS, Culprit, Evidence, Status
from tracker.releases import is_prerelease, version_key
from tracker.vocabulary import WHEEL_STATUSES

__all__ = [
    "DOCUMENT_SCHEMA",
    "FEED_SCHEMA",
    "TARGET_NAMES",
    "WHEEL_STATUSES",
    "Culprit",
    "DocumentError",
    "FeedDocument",
    "FileDocument",
    "LazyReleases",
    "ModuleLine",
    "ProbeBlock",
    "ProbeRunDocument",
    "ProjectDocument",
    "ProjectSummary",
    "ReleaseDetail",
    "ReleaseDocument",
    "SummaryFeed",
    "TargetSummary",
    "TargetVerdict",
    "choose_target",
    "convert_document",
    "current_release",
    "decode_document",
    "decode_feed",
    "decode_summaries",
    "decode_summary",
    "decode_summary_feed",
    "effective_verdict",
    "encode",
    "first_ready",
    "first_wheel",
    "head_settles",
    "newer_in_history",
    "newest_first",
    "probed_targets",
    "status_counts",
    "summaries_of",
    "summarize",
    "summary_feed",
    "target_lost",
    "to_builtins",
]

#: Schema of the project document and of a snapshot holding them.
DOCUMENT_SCHEMA = 2
#: Schema of the summary feed (``/api/v1/feed.json``); bumped whenever its shape changes.
FEED_SCHEMA = 2
#: Every target fttrack judges, oldest first.
TARGET_NAMES: tuple[str, ...] = tuple(t.name for t in TARGETS)

_CULPRITS_IN_SUMMARY = 3


class DocumentError(SourceError):
    """A project document or summary that does not have the documented shape."""


class _Struct(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=False):
    """Base of every document struct: defaults are omitted from JSON."""


class ModuleLine(_Struct):
    """One module a probe imported, and what happened."""

    name: str
    outcome: str
    detail: str = ""
    owner: str = ""
    optional: bool = False


class ProbeBlock(_Struct):
    """What the probe behind a verdict recorded."""

    interpreter: str = ""
    sandbox: str = ""
    platform: str = ""
    modules: list[ModuleLine] = []
    timings: dict[str, float] = {}
    stderr_tail: str = ""
    detail: str = ""


class TargetVerdict(_Struct):
    """The verdict of one release on one target."""

    status: Status
    evidence: Evidence = Evidence.TAGS
    platforms: list[str] = []
    culprits: list[Culprit] = []
    probed_at: str | None = None
    probe: ProbeBlock | None = None
    #: For evidence ``inferred``: the probed release whose verdict stands in.
    inferred_from: str | None = None


class ReleaseDocument(_Struct):
    """One release with a verdict per target."""

    version: str
    yanked: bool = False
    uploaded: str | None = None
    targets: dict[str, TargetVerdict] = {}


class TargetSummary(_Struct):
    """A project on one target: the current release's verdict and the versions that fix it."""

    status: Status = Status.UNKNOWN
    evidence: Evidence = Evidence.NONE
    #: Probe date (``YYYY-MM-DD``) of the verdict's probe (or of the release it is inferred from).
    checked: str | None = None
    inferred_from: str | None = None
    #: Up to three culprits; ``more_culprits`` counts the rest.
    culprits: list[Culprit] = []
    more_culprits: int = 0
    first_ready: str | None = None
    first_wheel: str | None = None
    #: How many releases of the project a probe judged on this target.
    probed: int = 0


class ProjectSummary(_Struct):
    """One project as lists, the feed, badges and status show it."""

    name: str
    display_name: str = ""
    version: str | None = None
    classifier: str | None = None
    watch_reason: str | None = None
    #: Newest probe of any release on any target (ISO time).
    last_probe: str | None = None
    #: How many releases the project's history holds.
    release_count: int = 0
    targets: dict[str, TargetSummary] = {}

    @property
    def shown_name(self) -> str:
        """The display name, or the normalized name when there is none."""
        return self.display_name or self.name

    def cell(self, target: str) -> TargetSummary:
        """The summary on ``target`` (``unknown`` when there is none)."""
        return self.targets.get(target) or _UNKNOWN_TARGET


_UNKNOWN_TARGET = TargetSummary()


class LazyReleases(list[ReleaseDocument]):
    """A project's releases, each decoded from its JSON on first access.

    Holds :class:`msgspec.Raw` items until they are read; an audit of a pin
    reads a handful of a long history's releases. Encoding writes decoded and
    raw items alike, so a lazily read document round-trips byte for byte.
    """

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        item = super().__getitem__(index)
        if isinstance(item, msgspec.Raw):
            item = _release_decoder.decode(item)
            super().__setitem__(index, item)
        return item

    def __iter__(self) -> Iterator[ReleaseDocument]:
        for index in range(len(self)):
            yield self[index]

    def __reversed__(self) -> Iterator[ReleaseDocument]:
        for index in reversed(range(len(self))):
            yield self[index]


class ProjectDocument(_Struct):
    """A project with every release, newest first, and its summary."""

    name: str
    display_name: str = ""
    classifier: str | None = None
    watch_reason: str | None = None
    #: Before the releases, so that a reader of the JSON meets the line it needs
    #: most first (and a snapshot member's head, see :mod:`tracker.archive`, holds it).
    summary: ProjectSummary | None = None
    releases: list[ReleaseDocument] = []

    def with_summary(self) -> ProjectDocument:
        """This document with its summary computed (see :func:`summarize`)."""
        self.summary = summarize(self)
        return self


class _LazyDocument(_Struct):
    """A project document whose releases are left as raw JSON (see :class:`LazyReleases`)."""

    name: str
    display_name: str = ""
    classifier: str | None = None
    watch_reason: str | None = None
    summary: ProjectSummary | None = None
    releases: list[msgspec.Raw] = []


class FeedDocument(_Struct):
    """A full dump: every project document, and optionally every summary (a snapshot file)."""

    #: Always written (a factory default is never omitted): readers check it first.
    schema: int = msgspec.field(default_factory=lambda: DOCUMENT_SCHEMA)
    generated: str | None = None
    targets: list[str] = msgspec.field(default_factory=lambda: list(TARGET_NAMES))
    projects: list[ProjectDocument] = []
    summaries: list[ProjectSummary] = []


class FileDocument(msgspec.Struct):
    """One distribution file of a release."""

    filename: str
    kind: str
    targets: list[str]
    platforms: list[str]
    pure: bool
    gil_only: bool
    abi3t: bool
    yanked: bool
    size: int | None
    uploaded: str | None


class ProbeRunDocument(msgspec.Struct):
    """One probe run, with everything it recorded."""

    target: str
    platform: str
    status: str
    evidence: str
    culprits: list[Culprit]
    modules: list[dict[str, Any]]
    interpreter: str
    sandbox: str
    timings: dict[str, Any]
    stderr_tail: str
    detail: str
    installed: list[str]
    probed_at: str | None


class ReleaseDetail(msgspec.Struct):
    """One release: files, the current verdict per target, and every probe run per target."""

    name: str
    display_name: str
    version: str
    yanked: bool
    uploaded: str | None
    files: list[FileDocument]
    targets: dict[str, TargetVerdict]
    history: dict[str, list[ProbeRunDocument]]


class SummaryFeed(_Struct):
    """The summary feed: one summary per tracked project (``/api/v1/feed.json``)."""

    #: Always written (a factory default is never omitted): readers check it first.
    schema: int = msgspec.field(default_factory=lambda: FEED_SCHEMA)
    generated: str | None = None
    targets: list[str] = msgspec.field(default_factory=lambda: list(TARGET_NAMES))
    projects: list[ProjectSummary] = msgspec.field(default_factory=lambda: [])


# -- encoding and decoding ------------------------------------------------------------------

_encoder = msgspec.json.Encoder()
_release_decoder = msgspec.json.Decoder(ReleaseDocument)
_lazy_decoder = msgspec.json.Decoder(_LazyDocument)
_document_decoder = msgspec.json.Decoder(ProjectDocument)
_feed_decoder = msgspec.json.Decoder(FeedDocument)
_summary_feed_decoder = msgspec.json.Decoder(SummaryFeed)
_summary_decoder = msgspec.json.Decoder(ProjectSummary)
_summaries_decoder = msgspec.json.Decoder(list[ProjectSummary])


def encode(value: msgspec.Struct | Sequence[msgspec.Struct]) -> bytes:
    """Compact JSON of a document, a summary or a list of them."""
    return _encoder.encode(value)


def to_builtins(value: Any) -> Any:
    """Plain dicts and lists of a struct (for callers that compose JSON themselves)."""
    return msgspec.to_builtins(value)


def _decode(decoder: msgspec.json.Decoder[Any], data: bytes | memoryview | str, what: str) -> Any:
    try:
        return decoder.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise DocumentError(f"{what}: {exc}") from None
    except RecursionError:
        raise DocumentError(f"{what}: nested too deeply") from None


def decode_document(
    data: bytes | memoryview | str, *, what: str = "project document", lazy: bool = False
) -> ProjectDocument:
    """A project document from JSON; :class:`DocumentError` when it has another shape.

    ``lazy`` leaves each release undecoded until it is read (:class:`LazyReleases`):
    for trusted documents (a snapshot fttrack wrote) of which a reader needs a few
    releases. A malformed release then fails when it is read.
    """
    if not lazy:
        document: ProjectDocument = _decode(_document_decoder, data, what)
        return document
    shell: _LazyDocument = _decode(_lazy_decoder, data, what)
    return ProjectDocument(
        name=shell.name,
        display_name=shell.display_name,
        classifier=shell.classifier,
        watch_reason=shell.watch_reason,
        releases=LazyReleases(cast(list[ReleaseDocument], shell.releases)),  # decoded on read
        summary=shell.summary,
    )


def decode_feed(data: bytes | str, *, what: str = "feed") -> FeedDocument:
    """A full dump (schema 1 or 2) from JSON."""
    feed: FeedDocument = _decode(_feed_decoder, data, what)
    if feed.schema not in (1, DOCUMENT_SCHEMA):
        raise DocumentError(f"{what}: schema {feed.schema} is not one this fttrack reads")
    if feed.schema == 1:  # written by hand or by older versions: put releases in order
        for document in feed.projects:
            document.releases = newest_first(document.releases)
    return feed


def decode_summary_feed(data: bytes | str, *, what: str = "summary feed") -> SummaryFeed:
    """The summary feed (``/api/v1/feed.json``) from JSON."""
    feed: SummaryFeed = _decode(_summary_feed_decoder, data, what)
    return feed


def decode_summary(data: bytes | str, *, what: str = "project summary") -> ProjectSummary:
    """A project summary from JSON."""
    summary: ProjectSummary = _decode(_summary_decoder, data, what)
    return summary


def decode_summaries(data: bytes | str, *, what: str = "summaries") -> list[ProjectSummary]:
    """A JSON array of project summaries."""
    summaries: list[ProjectSummary] = _decode(_summaries_decoder, data, what)
    return summaries


def convert_document(value: Any, *, what: str = "project document") -> ProjectDocument:
    """A project document from already-parsed JSON (a dict)."""
    try:
        document: ProjectDocument = msgspec.convert(value, ProjectDocument)
    except msgspec.ValidationError as exc:
        raise DocumentError(f"{what}: {exc}") from None
    document.releases = newest_first(document.releases)
    return document


# -- the definitions ------------------------------------------------------------------------


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


def newest_first(releases: Sequence[ReleaseDocument]) -> list[ReleaseDocument]:
    """``releases`` sorted newest first (PEP 440 order): what every document holds.

    Writers keep documents in that order (the store loads releases sorted, a
    snapshot keeps the order it was written in); documents from elsewhere are
    sorted on decoding (:func:`convert_document`, schema 1 feeds). Readers rely
    on it and never sort again.
    """
    return sorted(releases, key=lambda r: version_key(r.version), reverse=True)


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


class _Inference:
    """Inferred verdicts over one ordered history: the probed positions are found once."""

    def __init__(self, ordered: Sequence[ReleaseDocument], target: str) -> None:
        self.ordered = ordered
        self.target = target
        self.probed = [
            i
            for i, r in enumerate(ordered)
            if (v := r.targets.get(target)) is not None and v.evidence is Evidence.PROBE
        ]

    def verdict(self, index: int) -> TargetVerdict | None:
        """The effective verdict of ``ordered[index]``."""
        release = self.ordered[index]
        own = release.targets.get(self.target)
        if own is None or own.status is not Status.WHEEL_ONLY or not self.probed:
            return own
        # nearest probed release; on a tie the newer one (the smaller index)
        nearest = self.ordered[min(self.probed, key=lambda i: (abs(i - index), i > index))]
        return self.inferred(own, nearest, nearest.targets[self.target])

    @staticmethod
    def inferred(
        own: TargetVerdict, nearest: ReleaseDocument, source: TargetVerdict
    ) -> TargetVerdict:
        """``own`` (an unprobed wheel) judged by the probe of ``nearest``."""
        if source.status in (Status.PURE, Status.SDIST_ONLY):  # no wheel: nothing to infer
            return own
        return TargetVerdict(
            status=source.status,
            evidence=Evidence.INFERRED,
            platforms=own.platforms,
            culprits=list(source.culprits),
            probed_at=source.probed_at,
            inferred_from=nearest.version,
        )


def effective_verdict(
    releases: Sequence[ReleaseDocument], release: ReleaseDocument, target: str
) -> TargetVerdict | None:
    """The verdict of ``release`` on ``target``: its own, or, for an unprobed
    free-threaded wheel, the one inferred from the nearest probed release.

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
    for distance in range(1, len(releases)):  # nearest first; the newer one wins a tie
        for near in (index - distance, index + distance):
            if 0 <= near < len(releases):
                verdict = releases[near].targets.get(target)
                if verdict is not None and verdict.evidence is Evidence.PROBE:
                    return _Inference.inferred(own, releases[near], verdict)
    return own


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
    inference = _Inference(counted, target)
    start = None
    for index, release in enumerate(counted):
        verdict = inference.verdict(index)
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
    good = frozenset({Status.READY, Status.WHEEL_ONLY, Status.PURE})
    start = None
    for release in _counted(_ordered(releases), target):
        if release.targets[target].status not in good:
            break
        start = release.version
    return start


def _target_summary(
    ordered: Sequence[ReleaseDocument], current: ReleaseDocument | None, target: str
) -> TargetSummary:
    inference = _Inference(ordered, target)
    probed = len(inference.probed)
    verdict = None
    if current is not None:
        verdict = inference.verdict(next(i for i, r in enumerate(ordered) if r is current))
    ready = first_ready(ordered, target)
    wheel = first_wheel(ordered, target)
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
    )


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
        targets={t: s for t, s in targets.items() if s != _UNKNOWN_TARGET},
    )


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


def choose_target(known: Iterable[str], probed: Iterable[str]) -> tuple[str, bool]:
    """The target to judge by default: the newest of ``known`` with probe evidence
    (``probed``), else the newest of ``known``; and whether it was probed.

    >>> choose_target(["3.13t", "3.14t", "3.15t"], ["3.13t", "3.14t"])
    ('3.14t', True)
    >>> choose_target(["3.14t", "3.15t"], [])
    ('3.15t', False)
    """
    order = {name: index for index, name in enumerate(TARGET_NAMES)}
    ours = sorted((t for t in known if t in order), key=order.__getitem__)
    if not ours:
        raise ValueError("no known target")
    tried = [t for t in ours if t in set(probed)]
    return (tried[-1], True) if tried else (ours[-1], False)
