"""The project document: one typed shape for every reader and writer of verdicts.

A **project document** is a project's whole history: every release, newest
first, with a verdict per target (status, evidence, platforms, culprits, the
probe behind it). A **project summary** is the line most readers need: per
target, the current release's verdict, culprits with owners, the first ready
version and the first version with a free-threaded wheel. Summaries are
computed here, by :func:`summarize`, and nowhere else; writers store them
beside the history (snapshot member, database row) so that lists, the feed,
badges and status never read history.

Three modules, re-exported here (the facade every reader imports from):

- :mod:`tracker.documents.shapes`: the :mod:`msgspec` structs, and the order
  every document holds its releases in (:func:`newest_first`);
- :mod:`tracker.documents.codec`: encoding and decoding, the only place
  documents are decoded (:func:`decode_document`, :func:`decode_summary`,
  :func:`decode_summaries`); a malformed document is a :class:`DocumentError`
  naming what was wrong, never a traceback;
- :mod:`tracker.documents.rules`: the verdict rules below (summaries, first
  ready, inference);
- :mod:`tracker.documents.changes`: what changed between two consecutive releases
  on a target (the one definition of a change and of its date), computed beside
  the summary (:func:`project_changes`);
- :mod:`tracker.documents.claims`: a maintainer's claims (classifier, ``Py_mod_gil``)
  against the probe's evidence.

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
- *stress result*: what running a release's own tests in threads found
  (docs/stress.md), on the release's verdict of a target (``stress``); a
  summary carries the current release's own (``stress``: status and date),
  never one inferred from another release. It never changes ``status``.
- *inferred verdict*: a release with a free-threaded wheel but no probe takes
  the probe verdict of the nearest probed release of the same project and
  target (newer first on a tie), with evidence ``inferred`` and the version it
  stands on (:func:`effective_verdict`).
"""

from __future__ import annotations

from tracker.documents.changes import (
    CHANGES_SCHEMA,
    Change,
    ProjectChanges,
    change_date,
    changes_of,
    decode_project_changes,
    project_changes,
    stress_status,
)
from tracker.documents.claims import CLASSIFIER_PREFIX, claims_of, classifier_level
from tracker.documents.codec import (
    LazyReleases,
    convert_document,
    decode_document,
    decode_feed,
    decode_summaries,
    decode_summary,
    decode_summary_feed,
    encode,
    to_builtins,
)
from tracker.documents.rules import (
    current_release,
    effective_verdict,
    first_ready,
    first_wheel,
    head_settles,
    newer_in_history,
    pick_default_target,
    probed_targets,
    status_counts,
    summaries_of,
    summarize,
    summarized,
    summary_feed,
    target_lost,
)
from tracker.documents.shapes import (
    DOCUMENT_SCHEMA,
    FEED_SCHEMA,
    READABLE_FEED_SCHEMAS,
    TARGET_NAMES,
    UNKNOWN_TARGET,
    ClaimCheck,
    Culprit,
    DocumentError,
    FeedDocument,
    FileDocument,
    ModuleLine,
    ProbeBlock,
    ProbeRunDocument,
    ProjectDocument,
    ProjectSummary,
    ReleaseDetail,
    ReleaseDocument,
    StressBlock,
    StressSummary,
    SummaryFeed,
    TargetSummary,
    TargetVerdict,
    newest_first,
)

__all__ = [
    "CHANGES_SCHEMA",
    "CLASSIFIER_PREFIX",
    "DOCUMENT_SCHEMA",
    "FEED_SCHEMA",
    "READABLE_FEED_SCHEMAS",
    "TARGET_NAMES",
    "UNKNOWN_TARGET",
    "Change",
    "ClaimCheck",
    "Culprit",
    "DocumentError",
    "FeedDocument",
    "FileDocument",
    "LazyReleases",
    "ModuleLine",
    "ProbeBlock",
    "ProbeRunDocument",
    "ProjectChanges",
    "ProjectDocument",
    "ProjectSummary",
    "ReleaseDetail",
    "ReleaseDocument",
    "StressBlock",
    "StressSummary",
    "SummaryFeed",
    "TargetSummary",
    "TargetVerdict",
    "change_date",
    "changes_of",
    "claims_of",
    "classifier_level",
    "convert_document",
    "current_release",
    "decode_document",
    "decode_feed",
    "decode_project_changes",
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
    "pick_default_target",
    "probed_targets",
    "project_changes",
    "status_counts",
    "stress_status",
    "summaries_of",
    "summarize",
    "summarized",
    "summary_feed",
    "target_lost",
    "to_builtins",
]
