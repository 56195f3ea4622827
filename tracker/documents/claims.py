"""A maintainer's claims against a probe's evidence, release by release.

Three things are compared for each release a probe judged on a target:

- the **classifier**: the release's ``Programming Language :: Python :: Free
  Threading :: N - Level`` classifier (:attr:`ReleaseDocument.classifier`, which the
  crawler reads from each probed release's own core metadata); a release whose
  classifier was not read is judged on it only when it is the current release, with
  the project's (read from the newest release's metadata);
- each module's **Py_mod_gil declaration**, read from the probe's import trace: a
  module that imported without re-enabling the GIL declared it (``Py_mod_gil =
  Py_MOD_GIL_NOT_USED`` or ``PyUnstable_Module_SetGIL``); one of the project's own
  modules whose import re-enabled it did not;
- the probe's **verdict**.

Mismatches (:class:`~tracker.vocabulary.ClaimFlag`, described in
:data:`~tracker.vocabulary.CLAIM_RECORDS`): ``classifier-overclaims`` (a release whose
classifier claims support that re-enables the GIL), ``wheel-undeclared`` (a
free-threaded wheel whose own modules do not declare support), ``classifier-missing``
(a ready release without the classifier: a hint). The classifier flags are judged per
release where its classifier is known; counts of current releases
(``ProjectChanges.current_flags``, ``fttrack status``) read only
the current release's checks.
"""

from __future__ import annotations

from tracker.documents.rules import current_release
from tracker.documents.shapes import TARGET_NAMES, ClaimCheck, ProjectDocument, ReleaseDocument
from tracker.models import Evidence, Status
from tracker.names import normalize_name
from tracker.vocabulary import ClaimFlag

__all__ = ["CLASSIFIER_PREFIX", "claims_of", "classifier_level", "release_level"]

#: What every Free Threading classifier starts with.
CLASSIFIER_PREFIX = "Programming Language :: Python :: Free Threading :: "


def classifier_level(classifier: str | None) -> str | None:
    """The support level a Free Threading classifier claims (``2 - Beta``), or None.

    >>> classifier_level("Programming Language :: Python :: Free Threading :: 2 - Beta")
    '2 - Beta'
    >>> classifier_level(None) is None
    True
    """
    if not classifier or not classifier.startswith(CLASSIFIER_PREFIX):
        return None
    return classifier[len(CLASSIFIER_PREFIX) :].strip() or None


def release_level(
    release: ReleaseDocument, project_level: str | None, *, current: bool
) -> tuple[str | None, bool]:
    """The support level a release's classifier claims (None: none), and whether it is known.

    A release's own classifier (read from its metadata, ``""`` when it has none) wins;
    a current release whose own was not read has the project's (``project_level``,
    read from the newest release); any other release's is unknown.

    >>> release_level(ReleaseDocument("1.0", classifier="2 - Beta"), None, current=False)
    ('2 - Beta', True)
    >>> release_level(ReleaseDocument("1.0", classifier=""), "2 - Beta", current=True)
    (None, True)
    >>> release_level(ReleaseDocument("1.0"), "2 - Beta", current=True)
    ('2 - Beta', True)
    >>> release_level(ReleaseDocument("1.0"), "2 - Beta", current=False)
    (None, False)
    """
    if release.classifier is not None:
        return release.classifier or None, True
    if current:
        return project_level, True
    return None, False


def claims_of(
    document: ProjectDocument, *, current: ReleaseDocument | None = None
) -> list[ClaimCheck]:
    """The claim check of every (release, target) a probe judged, newest release first.

    ``current``: the project's current release when the caller has it (else it is found).

    >>> from tracker.documents.shapes import (ModuleLine, ProbeBlock, ReleaseDocument,
    ...     TargetVerdict)
    >>> probe = ProbeBlock(modules=[ModuleLine("demo._core", "gil-reenabled", owner="demo")])
    >>> doc = ProjectDocument("demo", classifier=CLASSIFIER_PREFIX + "3 - Stable", releases=[
    ...     ReleaseDocument("1.0", targets={"3.14t": TargetVerdict(
    ...         Status.GIL_REENABLED, Evidence.PROBE, probe=probe)})])
    >>> [f.value for f in claims_of(doc)[0].flags]
    ['classifier-overclaims', 'wheel-undeclared']

    An older release is judged on its own classifier (``""``: read, none):

    >>> doc.releases.append(ReleaseDocument("0.9", classifier="", targets={
    ...     "3.14t": TargetVerdict(Status.READY, Evidence.PROBE)}))
    >>> [(c.version, c.classifier, [f.value for f in c.flags]) for c in claims_of(doc)][1]
    ('0.9', None, ['classifier-missing'])
    """
    if current is None:
        current = current_release(document.releases)
    project_level = classifier_level(document.classifier)
    own = normalize_name(document.name)
    checks: list[ClaimCheck] = []
    for release in document.releases:
        level, known = release_level(release, project_level, current=release is current)
        for target in TARGET_NAMES:
            verdict = release.targets.get(target)
            if verdict is None or verdict.evidence is not Evidence.PROBE:
                continue
            modules = verdict.probe.modules if verdict.probe is not None else []
            declared = [m.name for m in modules if m.outcome == "ok"]
            undeclared = [
                m.name
                for m in modules
                if m.outcome == "gil-reenabled" and normalize_name(m.owner or own) == own
            ]
            if not modules:  # an older probe without its trace: the culprits are the project's
                undeclared = [
                    c.module for c in verdict.culprits if normalize_name(c.owner or own) == own
                ]
            flags = []
            if known and level is not None and verdict.status is Status.GIL_REENABLED:
                flags.append(ClaimFlag.CLASSIFIER_OVERCLAIMS)
            if verdict.status is Status.GIL_REENABLED and undeclared:
                flags.append(ClaimFlag.WHEEL_UNDECLARED)
            if known and level is None and verdict.status is Status.READY:
                flags.append(ClaimFlag.CLASSIFIER_MISSING)
            checks.append(
                ClaimCheck(
                    version=release.version,
                    target=target,
                    status=verdict.status,
                    classifier=level,
                    declared=declared,
                    undeclared=undeclared,
                    flags=flags,
                    probed_at=verdict.probed_at,
                )
            )
    return checks
