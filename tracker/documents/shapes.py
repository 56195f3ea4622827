"""The shapes of project documents and summaries (:mod:`msgspec` structs).

See :mod:`tracker.documents` for what a document and a summary are. The
shapes are :mod:`msgspec` structs (chosen over pydantic by
``bench/document_bench.py``: several times faster to decode the real
snapshot, a fraction of the import time, and free-threaded wheels). Fields at
their default value are omitted from JSON, which keeps a release whose
verdicts come from tags down to a few dozen bytes. Every document holds its
releases newest first (:func:`newest_first`). Encoding and decoding are in
:mod:`tracker.documents.codec`, the verdict rules in :mod:`tracker.documents.rules`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from tracker.errors import SourceError
from tracker.models import TARGETS, Culprit, Evidence, Status
from tracker.releases import version_key
from tracker.stress.result import StressBlock, StressStatus
from tracker.vocabulary import ClaimFlag

__all__ = [
    "DOCUMENT_SCHEMA",
    "FEED_SCHEMA",
    "READABLE_FEED_SCHEMAS",
    "TARGET_NAMES",
    "UNKNOWN_TARGET",
    "ClaimCheck",
    "Culprit",
    "DocumentError",
    "FeedDocument",
    "FileDocument",
    "ModuleLine",
    "ProbeBlock",
    "ProbeRunDocument",
    "ProjectDocument",
    "ProjectSummary",
    "ReleaseDetail",
    "ReleaseDocument",
    "StressBlock",
    "StressSummary",
    "SummaryFeed",
    "TargetSummary",
    "TargetVerdict",
    "newest_first",
]

#: Schema of the project document and of a snapshot holding them.
DOCUMENT_SCHEMA = 2
#: Schema of the summary feed (``/api/v1/feed.json``); bumped whenever its shape changes.
FEED_SCHEMA = 3
#: Feed schemas this fttrack reads: 2 is 3 without the summaries' ``stress`` block.
READABLE_FEED_SCHEMAS = (2, 3)
#: Every target fttrack judges, oldest first.
TARGET_NAMES: tuple[str, ...] = tuple(t.name for t in TARGETS)


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
    #: The newest stress run of this release on this target (its own tests in threads,
    #: docs/stress.md): a second tier with its own date; it never changes ``status``.
    #: Never inferred from another release. Every run, newest first:
    #: :attr:`ReleaseDetail.stress_history` (the store keeps them like probe runs).
    stress: StressBlock | None = None

    @property
    def pure_release(self) -> bool:
        """Whether the release's wheels are pure (platform ``any``): nothing of its own
        is compiled, and a probe of it judged its dependencies' extension modules."""
        return self.platforms == ["any"]


class ReleaseDocument(_Struct):
    """One release with a verdict per target."""

    version: str
    yanked: bool = False
    uploaded: str | None = None
    targets: dict[str, TargetVerdict] = {}
    #: The Free Threading classifier's support level (``2 - Beta``) this release's own
    #: core metadata declares, read for the releases a probe judged; ``""``: read, and
    #: there is none; None (omitted): not read (see :mod:`tracker.documents.claims`).
    classifier: str | None = None


class StressSummary(_Struct):
    """The current release's stress result on one target, as a summary carries it."""

    status: StressStatus
    #: Date (``YYYY-MM-DD``) of the stress run.
    checked: str | None = None


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
    #: The current release's own stress result on this target (never inferred); it
    #: never changes ``status``.
    stress: StressSummary | None = None


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
        return self.targets.get(target) or UNKNOWN_TARGET


#: The summary of a target nothing is known about (omitted from a project summary).
UNKNOWN_TARGET = TargetSummary()


class ClaimCheck(_Struct):
    """A release's claims against its evidence on one target (rules:
    :mod:`tracker.documents.claims`)."""

    version: str
    target: str
    #: The probe's verdict.
    status: Status
    #: The Free Threading classifier's support level (``2 - Beta``) of this release (its
    #: own, else for the current release the project's); None: none, or not read.
    classifier: str | None = None
    #: Modules that imported without re-enabling the GIL: they declared ``Py_mod_gil``.
    declared: list[str] = []
    #: The project's own modules whose import re-enabled the GIL: no declaration.
    undeclared: list[str] = []
    #: Mismatches (:class:`~tracker.vocabulary.ClaimFlag` values).
    flags: list[ClaimFlag] = []
    probed_at: str | None = None


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
    #: The claim checks that flag a mismatch (:mod:`tracker.documents.claims`), written
    #: by the store beside the summary; empty in documents that do not carry them.
    claims: list[ClaimCheck] = []


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
    #: Every stress run per target, newest first (the newest is the verdict's ``stress``).
    stress_history: dict[str, list[StressBlock]] = {}


class SummaryFeed(_Struct):
    """The summary feed: one summary per tracked project (``/api/v1/feed.json``)."""

    #: Always written (a factory default is never omitted): readers check it first.
    schema: int = msgspec.field(default_factory=lambda: FEED_SCHEMA)
    generated: str | None = None
    targets: list[str] = msgspec.field(default_factory=lambda: list(TARGET_NAMES))
    projects: list[ProjectSummary] = msgspec.field(default_factory=lambda: [])


def newest_first(releases: Sequence[ReleaseDocument]) -> list[ReleaseDocument]:
    """``releases`` sorted newest first (PEP 440 order): what every document holds.

    Writers keep documents in that order (the store loads releases sorted, a
    snapshot keeps the order it was written in); documents from elsewhere are
    sorted on decoding (:func:`~tracker.documents.codec.convert_document`,
    schema 1 feeds). Readers rely on it and never sort again.
    """
    return sorted(releases, key=lambda r: version_key(r.version), reverse=True)
