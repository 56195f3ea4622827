"""What changed between two consecutive releases of a project on a target.

The one definition of a **change** (kinds: :class:`~tracker.vocabulary.ChangeKind`,
described in :data:`~tracker.vocabulary.CHANGE_RECORDS`). Per target, the releases
compared are the project's *compared releases*: non-yanked final releases (a
pre-release is never a project's current release) whose verdict on the target
says something about a wheel: every status but ``unknown`` and ``sdist-only`` (a
release whose wheels are not uploaded yet says nothing). Each compared release
is set against the compared release just before it (older), with:

- *wheel*: whether the release's own verdict is a wheel status
  (:data:`~tracker.vocabulary.WHEEL_STATUSES`);
- *status*: its effective verdict (:func:`~tracker.documents.rules.effective_verdict`'s rule:
  an unprobed wheel takes the nearest probe's verdict, evidence ``inferred``).

Kinds (a pair of releases may make more than one change, one per kind):

- ``first-ft-wheel``: the newer release has a wheel and no older compared
  release had one;
- ``target-dropped``: the older release had a wheel, the newer one ships binary
  wheels but none for the target (``no-ft-wheel``);
- ``now-ready``: newer ``ready``, older neither ``ready`` nor ``pure`` nor blocked
  by a probe finding (untested, or no wheel);
- ``fixed``: newer ``ready``, older blocked by what a probe found (``gil-reenabled``,
  ``import-failed``, ``crashed``, ``timed-out``, ``install-failed``);
- ``regressed``: older ``ready``, newer ``gil-reenabled``, ``import-failed``,
  ``crashed``, ``timed-out``, ``install-failed`` or ``no-ft-wheel`` (with the
  newer release's culprit modules); ``ready`` to ``no-ft-wheel`` is also
  ``target-dropped``;
- ``races-found`` / ``races-fixed``: both releases have a stress result (the
  verdict's ``stress`` field, a :class:`~tracker.stress.result.StressBlock`);
  the newer one is a finding and the older one was not / the older one was a
  finding and the newer one passed.

The **date** of a change, the one definition (``since`` filters by it): the upload
time of the newer release, or, when the index gave none, the date of its own probe.
The evidence of both releases (their probe dates) is named in the change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import msgspec

from tracker.documents.claims import claims_of
from tracker.documents.rules import _inferred_at, current_release
from tracker.documents.shapes import (
    TARGET_NAMES,
    ClaimCheck,
    Culprit,
    ProjectDocument,
    ReleaseDocument,
    TargetVerdict,
    _Struct,
)
from tracker.models import Evidence, Status
from tracker.releases import is_prerelease
from tracker.vocabulary import STRESS_RECORDS, WHEEL_STATUSES, ChangeKind, StressStatus

__all__ = [
    "CHANGES_SCHEMA",
    "Change",
    "ProjectChanges",
    "change_date",
    "changes_of",
    "decode_project_changes",
    "project_changes",
    "stress_status",
]

#: Bumped whenever the rules or the shape of a change move: stored changes of another
#: schema are computed again.
CHANGES_SCHEMA = 1

#: Statuses a probe finding blocks on (the older side of ``fixed``).
_FOUND_BLOCKED = frozenset(
    {
        Status.GIL_REENABLED,
        Status.IMPORT_FAILED,
        Status.CRASHED,
        Status.TIMED_OUT,
        Status.INSTALL_FAILED,
    }
)
#: What a ``ready`` release may regress to.
_REGRESSED_TO = _FOUND_BLOCKED | {Status.NO_FT_WHEEL}
#: Statuses that say nothing about a wheel (skipped when comparing).
_SILENT = frozenset({Status.UNKNOWN, Status.SDIST_ONLY})


class Change(_Struct):
    """One change of a project on a target between two consecutive compared releases."""

    project: str
    kind: ChangeKind
    target: str
    #: The newer release and the one before it.
    version: str
    previous: str
    #: ISO time (see the module docstring), None when neither upload nor probe is known.
    date: str | None = None
    status: Status = Status.UNKNOWN
    previous_status: Status = Status.UNKNOWN
    evidence: Evidence = Evidence.TAGS
    previous_evidence: Evidence = Evidence.TAGS
    #: Probe dates (``YYYY-MM-DD``) of the two verdicts (inferred: of the probe it stands on).
    probed: str | None = None
    previous_probed: str | None = None
    #: For ``regressed``: the newer release's culprit modules.
    culprits: list[Culprit] = []
    #: For the stress kinds: the two stress statuses.
    stress: str | None = None
    previous_stress: str | None = None
    display_name: str = ""

    @property
    def key(self) -> str:
        """A stable identity (the Atom entry's id, the API's cursor tie-breaker)."""
        return f"{self.project}/{self.target}/{self.previous}..{self.version}/{self.kind.value}"


class ProjectChanges(_Struct):
    """What is computed beside a project's summary: its changes (newest first) and the
    claim checks of its releases that flag a mismatch (see :mod:`.claims`)."""

    name: str
    schema: int = CHANGES_SCHEMA
    changes: list[Change] = []
    claims: list[ClaimCheck] = []
    #: The current release (the claims counted by ``fttrack status`` are those of it).
    version: str | None = None

    def current_flags(self) -> set[str]:
        """The claim flags raised on the current release (any target)."""
        return {f.value for c in self.claims if c.version == self.version for f in c.flags}


def change_date(release: ReleaseDocument, verdict: TargetVerdict | None) -> str | None:
    """The date of a change whose newer release is ``release`` (the one definition, see
    the module docstring): its upload time, else its own probe's time.

    >>> change_date(ReleaseDocument("1.0", uploaded="2026-11-02T10:00:00Z"), None)
    '2026-11-02T10:00:00Z'
    """
    if release.uploaded:
        return release.uploaded
    if verdict is not None and verdict.evidence is Evidence.PROBE:
        return verdict.probed_at
    return None


def stress_status(verdict: TargetVerdict | None) -> StressStatus | None:
    """The stress status a verdict carries (its ``stress`` field, a
    :class:`~tracker.stress.result.StressBlock`), or None without one."""
    if verdict is None or verdict.stress is None:
        return None
    return verdict.stress.status


def _day(text: str | None) -> str | None:
    return text[:10] if text else None


#: A final release's version (most are): no need to parse it to know it is no pre-release.
_PLAIN_FINAL = re.compile(r"\d+(?:\.\d+)*(?:\.post\d+)?\Z")


def _live_finals(releases: Sequence[ReleaseDocument]) -> list[int]:
    """Indexes (into ``releases``) of the non-yanked final releases."""
    return [
        index
        for index, release in enumerate(releases)
        if not release.yanked
        and (_PLAIN_FINAL.match(release.version) or not is_prerelease(release.version))
    ]


def _compared(releases: Sequence[ReleaseDocument], finals: list[int], target: str) -> list[int]:
    """Indexes (into ``releases``, newest first) of the compared releases on ``target``."""
    found = []
    for index in finals:
        verdict = releases[index].targets.get(target)
        if verdict is not None and verdict.status not in _SILENT:
            found.append(index)
    return found


def _pair_kinds(
    older: TargetVerdict,
    newer: TargetVerdict,
    old_eff: TargetVerdict,
    new_eff: TargetVerdict,
    *,
    wheel_before: bool,
) -> list[ChangeKind]:
    kinds = []
    old_wheel = older.status in WHEEL_STATUSES
    new_wheel = newer.status in WHEEL_STATUSES
    if new_wheel and not wheel_before:
        kinds.append(ChangeKind.FIRST_FT_WHEEL)
    if new_eff.status is Status.READY and old_eff.status is not Status.READY:
        if old_eff.status in _FOUND_BLOCKED:
            kinds.append(ChangeKind.FIXED)
        elif old_eff.status is not Status.PURE:
            kinds.append(ChangeKind.NOW_READY)
    if old_eff.status is Status.READY and new_eff.status in _REGRESSED_TO:
        kinds.append(ChangeKind.REGRESSED)
    if old_wheel and newer.status is Status.NO_FT_WHEEL:
        kinds.append(ChangeKind.TARGET_DROPPED)
    old_stress, new_stress = stress_status(older), stress_status(newer)
    if old_stress is not None and new_stress is not None:
        old_finding = STRESS_RECORDS[old_stress].finding
        new_finding = STRESS_RECORDS[new_stress].finding
        if new_finding and not old_finding:
            kinds.append(ChangeKind.RACES_FOUND)
        elif old_finding and new_stress is StressStatus.PASSED:
            kinds.append(ChangeKind.RACES_FIXED)
    return kinds


def _target_changes(
    document: ProjectDocument, releases: list[ReleaseDocument], finals: list[int], target: str
) -> list[Change]:
    compared = _compared(releases, finals, target)
    changes: list[Change] = []
    wheel_before = False
    previous: tuple[ReleaseDocument, TargetVerdict, TargetVerdict] | None = None
    for index in reversed(compared):  # oldest first
        release = releases[index]
        own = release.targets[target]
        effective = _inferred_at(releases, index, target) or own  # the inference rule
        if previous is not None:
            old_release, old_own, old_eff = previous
            for kind in _pair_kinds(old_own, own, old_eff, effective, wheel_before=wheel_before):
                races = kind in (ChangeKind.RACES_FOUND, ChangeKind.RACES_FIXED)
                changes.append(
                    Change(
                        project=document.name,
                        display_name=document.display_name
                        if document.display_name != document.name
                        else "",
                        kind=kind,
                        target=target,
                        version=release.version,
                        previous=old_release.version,
                        date=change_date(release, own),
                        status=effective.status,
                        previous_status=old_eff.status,
                        evidence=effective.evidence,
                        previous_evidence=old_eff.evidence,
                        probed=_day(effective.probed_at),
                        previous_probed=_day(old_eff.probed_at),
                        culprits=list(effective.culprits) if kind is ChangeKind.REGRESSED else [],
                        stress=_value(stress_status(own)) if races else None,
                        previous_stress=_value(stress_status(old_own)) if races else None,
                    )
                )
        wheel_before = wheel_before or own.status in WHEEL_STATUSES
        previous = (release, own, effective)
    return changes


def _value(status: StressStatus | None) -> str | None:
    return None if status is None else status.value


def _newest_first(changes: Iterable[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: (c.date or "", c.key), reverse=True)


def changes_of(document: ProjectDocument) -> list[Change]:
    """Every change in a project's history on every target, newest first (by date).

    >>> from tracker.documents.shapes import TargetVerdict as V
    >>> doc = ProjectDocument("demo", releases=[
    ...     ReleaseDocument("2.0", uploaded="2026-11-02T00:00:00Z",
    ...                     targets={"3.14t": V(Status.READY, Evidence.PROBE)}),
    ...     ReleaseDocument("1.0", uploaded="2026-01-01T00:00:00Z",
    ...                     targets={"3.14t": V(Status.NO_FT_WHEEL)})])
    >>> [(c.kind.value, c.previous, c.version) for c in changes_of(doc)]
    [('now-ready', '1.0', '2.0'), ('first-ft-wheel', '1.0', '2.0')]
    """
    releases = list(document.releases)  # decoded once (a lazily decoded history)
    finals = _live_finals(releases)
    found: list[Change] = []
    for target in TARGET_NAMES:
        found.extend(_target_changes(document, releases, finals, target))
    return _newest_first(found)


def project_changes(document: ProjectDocument) -> ProjectChanges:
    """What is stored beside a project's summary: its changes and flagged claim checks."""
    current = current_release(document.releases)
    return ProjectChanges(
        name=document.name,
        changes=changes_of(document),
        claims=[c for c in claims_of(document, current=current) if c.flags],
        version=None if current is None else current.version,
    )


_decoder = msgspec.json.Decoder(ProjectChanges)


def decode_project_changes(data: bytes | str) -> ProjectChanges | None:
    """Stored changes from JSON; None when they do not decode or are of another schema
    (compute them again)."""
    try:
        found = _decoder.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    return found if found.schema == CHANGES_SCHEMA else None
