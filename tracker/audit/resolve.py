"""Judge each dependency against a verdict source, for one target and platform.

For a pinned dependency the locked version is judged; for a loose one
(``numpy>=2``) the newest non-yanked version its specifier allows. A release
that was not probed itself takes the verdict of the nearest probed release of
the same project and target, as an inference
(:func:`tracker.documents.effective_verdict`). A dependency that is not
proven ready gets an upgrade hint: the project's first ready version above it
(:func:`tracker.documents.first_ready`), else its first version with a
free-threaded wheel, marked untested. A project the source does not track is
``unknown``; with a ``probe_missing`` callback, the resolver asks it for a
fresh document first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import msgspec

from tracker.audit.environment import marker_applies
from tracker.audit.filetags import placed, release_from_files
from tracker.audit.report import AuditEntry, AuditReport, SkippedEntry
from tracker.documents import (
    ProjectDocument,
    ReleaseDocument,
    TargetVerdict,
    effective_verdict,
    head_settles,
    newer_in_history,
    summarize,
    target_lost,
)
from tracker.models import BLOCKING_STATUSES, Culprit, Dependency, Evidence, Status
from tracker.names import canonicalize_name
from tracker.releases import is_prerelease, parse_version
from tracker.stress.result import stress_note
from tracker.verdicts.interface import HeadSource, VerdictSource
from tracker.vocabulary import (
    MODULE_FAILURE_STATUSES,
    SAFE_STATUSES,
    WHEEL_STATUSES,
    StressStatus,
)

__all__ = ["Lookup", "ProbeMissing", "judge", "resolve"]

#: ``probe_missing(name, version or None, target)`` -> a fresh project document, or None.
ProbeMissing = Callable[[str, str | None, str], ProjectDocument | None]
#: ``lookup([(name, version), ...])`` -> the file names of each pin it found.
Lookup = Callable[[Sequence[tuple[str, str]]], dict[tuple[str, str], tuple[str, ...]]]

_DETAIL_LIMIT = 240


class _Verdict(msgspec.Struct, frozen=True):
    status: Status
    evidence: Evidence
    checked_at: str | None
    culprits: tuple[Culprit, ...]
    detail: str
    inferred_from: str | None = None


def _blame(
    culprits: Sequence[Culprit], project: str, owner_version: Callable[[str], str | None]
) -> str:
    """``"a dependency, lxml 6.1.3, re-enables the GIL"`` when every culprit belongs to
    another distribution than ``project``, else the culprit modules, other owners marked."""

    def foreign(culprit: Culprit) -> bool:
        return bool(culprit.owner) and canonicalize_name(culprit.owner) != project

    foreign_ones = [c for c in culprits if foreign(c)]
    modules = ", ".join(c.module for c in culprits)
    if foreign_ones and len(foreign_ones) == len(culprits):
        owners = sorted({c.owner for c in foreign_ones})
        owned = []
        for owner in owners:
            version = owner_version(owner)
            owned.append(f"{owner} {version}" if version else owner)
        noun = "a dependency" if len(owners) == 1 else "dependencies"
        verb = "re-enables" if len(owners) == 1 else "re-enable"
        return f"{noun}, {', '.join(owned)}, {verb} the GIL (importing {modules})"
    marked = ", ".join(c.module + (f" (from {c.owner})" if foreign(c) else "") for c in culprits)
    return f"importing {marked} re-enables the GIL"


def _probe_reason(verdict: TargetVerdict, status: Status) -> str:
    """Why a probe failed: the first module that failed that way, else the probe's detail."""
    probe = verdict.probe
    if probe is None:
        return ""
    outcome = str(status) if status in MODULE_FAILURE_STATUSES else None
    if outcome is not None:
        for module in probe.modules:
            if module.outcome == outcome and not module.optional:
                return f"{module.name}: {module.detail or outcome}"
    if probe.detail.strip() and (outcome or status in (Status.INSTALL_FAILED, Status.SDIST_ONLY)):
        return probe.detail.strip().splitlines()[-1]
    return ""


def _verdict(
    project: str,
    releases: Sequence[ReleaseDocument],
    release: ReleaseDocument,
    target: str,
    platform: str,
    owner_version: Callable[[str], str | None],
) -> _Verdict | None:
    """The verdict of one release on ``target`` × ``platform``, or None if it has none."""
    verdict = effective_verdict(releases, release, target)
    if verdict is None:
        return None
    status = verdict.status
    platforms = verdict.platforms
    if (
        status in WHEEL_STATUSES
        and platforms
        and platform not in platforms
        and "any" not in platforms
    ):
        has = ", ".join(verdict.platforms)
        return _Verdict(
            Status.NO_FT_WHEEL,
            Evidence.TAGS,
            None,
            (),
            f"no free-threaded wheel for {platform} (wheels for: {has})",
        )
    culprits = tuple(verdict.culprits)
    if status is Status.GIL_REENABLED and culprits:
        detail = _blame(culprits, project, owner_version)
    else:
        detail = status.description
    reason = _probe_reason(verdict, status)
    if reason:
        detail += f": {reason}"
    if verdict.probe is not None and verdict.probe.platform not in ("", platform):
        detail += f" (probed on {verdict.probe.platform})"
    if verdict.evidence is Evidence.INFERRED:
        when = f" probed {verdict.probed_at[:10]}" if verdict.probed_at else ""
        detail = f"likely {status.value}: {verdict.inferred_from}{when}; {detail}"
    if len(detail) > _DETAIL_LIMIT:
        detail = detail[: _DETAIL_LIMIT - 1] + "…"
    checked_at = verdict.probed_at if verdict.evidence is not Evidence.TAGS else None
    return _Verdict(status, verdict.evidence, checked_at, culprits, detail, verdict.inferred_from)


def _pick(dep: Dependency, releases: list[ReleaseDocument]) -> tuple[ReleaseDocument | None, str]:
    """The release to judge: the pinned one, or the newest the specifier allows."""
    if dep.version is not None:
        exact = next((r for r in releases if r.version == dep.version), None)
        if exact is not None:
            return exact, ""
        wanted = parse_version(dep.version)
        if wanted is not None:
            for release in releases:
                if parse_version(release.version) == wanted:
                    return release, ""
        newest = next((r.version for r in releases if not r.yanked), None)
        hint = f" (newest tracked: {newest})" if newest else ""
        return None, f"version {dep.version} is not tracked{hint}"
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # loose pins only

    try:
        specifier = SpecifierSet(dep.specifier)
    except InvalidSpecifier:
        return None, f"cannot read the specifier {dep.specifier!r}"
    live = [(parsed, r) for r in releases if not r.yanked and (parsed := parse_version(r.version))]
    allowed = [(v, r) for v, r in live if specifier.contains(v, prereleases=False)]
    if not allowed and specifier.prereleases is not False:
        allowed = [(v, r) for v, r in live if specifier.contains(v, prereleases=True)]
    if not allowed:
        return None, f"no tracked release matches {dep.specifier or 'any version'}"
    return max(allowed, key=lambda pair: pair[0])[1], ""


def _upgrade(
    doc: ProjectDocument, release: ReleaseDocument, target: str
) -> tuple[str | None, bool]:
    """(version to upgrade to, untested): the first ready version above ``release``,
    else the first version with a free-threaded wheel above it (untested); read from
    the document's summary (computed when it has none); else the first release above
    it from which every newer one ships pure wheels (:func:`_first_pure_above`). "Above"
    is the history's own order (:func:`~tracker.documents.newer_in_history`): no
    version is parsed."""
    cell = (doc.summary or summarize(doc)).cell(target)
    ready = cell.first_ready
    if ready is not None and newer_in_history(doc.releases, ready, release.version):
        return ready, False
    wheel = cell.first_wheel or cell.first_ready
    if wheel is not None and newer_in_history(doc.releases, wheel, release.version):
        return wheel, True
    return _first_pure_above(doc.releases, release, target), False


def _first_pure_above(
    releases: Sequence[ReleaseDocument], release: ReleaseDocument, target: str
) -> str | None:
    """The oldest final release above ``release`` from which every newer final release
    ships only pure wheels (or was built pure from its sdist by a probe): editorconfig
    0.12.4 ships only an sdist, 0.17.0 and 0.17.1 pure wheels, so 0.17.0. None when
    the newest such release is not one (``releases`` newest first)."""
    start = None
    for candidate in releases:
        if candidate.version == release.version:
            break
        verdict = candidate.targets.get(target)
        if verdict is None or candidate.yanked or is_prerelease(candidate.version):
            continue
        if verdict.status is Status.PURE:
            start = candidate.version
        else:
            break
    return start


def judge(
    dep: Dependency,
    doc: ProjectDocument | None,
    *,
    target: str,
    platform: str,
    kind: str,
    owner_version: Callable[[str], str | None] = lambda _name: None,
    whole: bool = True,
    files_from: str = "",
) -> AuditEntry | None:
    """The audit entry for one dependency, given its project document (or None).

    ``owner_version(name)`` gives the current version of a culprit's owner
    when it is another distribution (for the blame line). ``whole=False`` says
    that ``doc`` holds only the newest releases (a snapshot's head): the entry is
    then None unless those settle it (the pin is among them and so is whatever its
    verdict is inferred from); judge the whole document then.
    Where the data does not know the pin, ``dep.files`` decide its tags
    (:mod:`tracker.audit.filetags`); ``files_from`` names where they came from
    when that is not the input (``the index``).
    """
    from_files = ""
    if doc is None:
        doc = _document_from_files(dep, target, platform)
        if doc is None:
            return _unknown(dep, f"not tracked by the {kind}")
        from_files = _files_note(dep, files_from)
    releases = doc.releases
    if not whole and not any(r.version == dep.version for r in releases):
        return None  # a range, an older pin, or one spelled otherwise: read it all
    release, why = _pick(dep, releases)
    if release is None and dep.version is not None and dep.files:
        release = release_from_files(dep.version, dep.files, target, platform)
        if release is not None:
            releases = placed(releases, release)
            doc = msgspec.structs.replace(doc, releases=releases)
            from_files = _files_note(dep, files_from)
    if release is None:
        return _unknown(dep, why)
    if not whole and not head_settles(releases, release, target):
        return None
    verdict = _verdict(doc.name, releases, release, target, platform, owner_version)
    if verdict is None:
        return _unknown(dep, f"no verdict for {release.version} on {target}", release.version)
    detail = verdict.detail + from_files
    upgrade, untested, until = None, False, None
    if verdict.status not in SAFE_STATUSES or verdict.evidence is Evidence.INFERRED:
        upgrade, untested = _upgrade(doc, release, target)
        if upgrade is not None:
            note = " (untested: a free-threaded wheel, not probed)" if untested else ""
            lost = target_lost(releases, target)
            if lost is not None and not newer_in_history(releases, upgrade, lost[0]):
                until = lost[0]
                note += f" ({upgrade} to {until}; {lost[1]} and later ship no {target} wheel)"
            detail += f"; upgrade {dep.name} {release.version} → {upgrade} for {target}{note}"
    if release.yanked:
        detail += f"; {release.version} is yanked"
    if doc.classifier:
        detail += f" [maintainer: {doc.classifier.rsplit('::', 1)[-1].strip()}]"
    own = release.targets.get(target)  # a stress result is the release's own, never inferred
    if own is not None and own.stress is not None:
        note = stress_note(own.stress)
        detail = f"{detail}; {note}" if detail else note
    return AuditEntry(
        name=dep.name,
        version=release.version if dep.version is None else dep.version,
        specifier=dep.specifier,
        origin=dep.origin,
        status=verdict.status,
        evidence=verdict.evidence,
        checked_at=verdict.checked_at,
        culprits=verdict.culprits,
        first_ready_version=upgrade,
        upgrade_untested=untested,
        upgrade_until=until,
        inferred_from=verdict.inferred_from,
        detail=detail,
        via=dep.via,
        required_by=dep.required_by,
        stress=own.stress if own is not None else None,
    )


def _document_from_files(dep: Dependency, target: str, platform: str) -> ProjectDocument | None:
    """A one-release document for an untracked pin, from its files' tags (None: no files)."""
    if dep.version is None or not dep.files:
        return None
    release = release_from_files(dep.version, dep.files, target, platform)
    return None if release is None else ProjectDocument(dep.name, releases=[release])


def _files_note(dep: Dependency, files_from: str) -> str:
    """Where a verdict from file names came from: the lock's files, the URL's file, or
    the index (``files_from``)."""
    if files_from:
        return f" (judged from the files {files_from} lists)"
    if dep.direct_url:
        return f" (judged from the file the URL names: {dep.direct_url})"
    where = dep.origin.rsplit(":", 1)[0] if dep.origin else "the input"
    return f" (judged from the files {where} lists)"


def _unknown(dep: Dependency, why: str, version: str | None = None) -> AuditEntry:
    return AuditEntry(
        name=dep.name,
        version=dep.version or version,
        specifier=dep.specifier,
        origin=dep.origin,
        status=Status.UNKNOWN,
        evidence=Evidence.NONE,
        detail=why,
        via=dep.via,
    )


def resolve(
    dependencies: Iterable[Dependency],
    source: VerdictSource,
    *,
    target: str,
    platform: str,
    input_name: str,
    kind: str = "verdict source",
    fail_on: frozenset[Status] = BLOCKING_STATUSES,
    fail_on_likely: bool = True,
    fail_on_stress: frozenset[StressStatus] = frozenset(),
    probe_missing: ProbeMissing | None = None,
    lookup: Lookup | None = None,
) -> AuditReport:
    """Judge every dependency; markers that exclude ``target`` × ``platform`` skip it.

    ``lookup`` fetches the file names of pins the source does not know (the index,
    see :mod:`tracker.audit.lookup`): they are judged by those files' tags, not
    left ``unknown``. It is called once, and only when there are such pins.
    """
    entries: list[AuditEntry] = []
    skipped: list[SkippedEntry] = []
    seen: set[tuple[str, str | None, str]] = set()
    judged_deps: list[Dependency] = []
    dependencies = list(dependencies)
    resolver = _Resolver(source, dependencies, target=target, platform=platform, kind=kind)
    for dep in dependencies:
        if dep.skipped_reason:
            skipped.append(SkippedEntry(dep.name, dep.version, dep.origin, dep.skipped_reason))
            continue
        if not marker_applies(dep.markers, target, platform):
            reason = f"not installed on {target} {platform} (marker: {dep.markers})"
            skipped.append(SkippedEntry(dep.name, dep.version, dep.origin, reason))
            continue
        identity = (dep.name, dep.version, dep.specifier if dep.version is None else "")
        if identity in seen:
            continue
        seen.add(identity)
        entries.append(resolver.entry(dep, probe_missing))
        judged_deps.append(dep)
    if lookup is not None:
        _look_up_unknown(
            entries,
            judged_deps,
            lookup,
            lambda dep, doc: resolver.judged(dep, doc, True, "the index"),
            resolver.document,
        )
    return AuditReport(
        input=input_name,
        target=target,
        platform=platform,
        source=source.describe(),
        entries=tuple(entries),
        skipped=tuple(skipped),
        fail_on=fail_on,
        fail_on_likely=fail_on_likely,
        fail_on_stress=fail_on_stress,
    )


class _Resolver:
    """One audit's reads: the documents and heads read so far (each project read once),
    the input's pins, and the culprit owners being judged (no loop between them)."""

    def __init__(
        self, source: VerdictSource, dependencies: list[Dependency], *, target: str,
        platform: str, kind: str,
    ) -> None:  # fmt: skip
        self.source, self.target, self.platform, self.kind = source, target, platform, kind
        self.documents: dict[str, ProjectDocument | None] = {}
        self.heads: dict[str, tuple[ProjectDocument | None, bool]] = {}
        self.read_head = source.project_head if isinstance(source, HeadSource) else None
        self.pins = {
            dep.name: dep
            for dep in dependencies
            if dep.version and not dep.skipped_reason
            and marker_applies(dep.markers, target, platform)
        }  # fmt: skip
        self.blaming: set[str] = set()

    def document(self, name: str) -> ProjectDocument | None:
        """The whole document of ``name`` (read once)."""
        if name not in self.documents:
            self.documents[name] = self.source.project(name)
        return self.documents[name]

    def newest(self, name: str) -> tuple[ProjectDocument | None, bool]:
        """The document with its newest releases (all when the source has no heads),
        and whether that is its whole history."""
        if name in self.documents or self.read_head is None:
            return self.document(name), True
        if name not in self.heads:
            self.heads[name] = self.read_head(name) or (None, True)
        return self.heads[name]

    def owner_version(self, owner: str) -> str | None:
        """The culprit owner's version the input pins, with that pin's own verdict
        (``6.1.1 (pinned here: gil-reenabled)``), else the tracked current one."""
        name = str(canonicalize_name(owner))
        pin = self.pins.get(name)
        if pin is not None and name not in self.blaming:
            self.blaming.add(name)
            try:
                own = self.judged(pin, self.document(name), True)
            finally:
                self.blaming.discard(name)
            status = ""
            if own is not None:
                likely = "likely " if own.evidence is Evidence.INFERRED else ""
                status = f": {likely}{own.status.value}"
            return f"{pin.version} (pinned here{status})"
        found, _ = self.newest(name)  # the summary is enough
        if found is None or found.summary is None:
            return None
        return found.summary.version

    def judged(
        self, dep: Dependency, doc: ProjectDocument | None, whole: bool, files_from: str = ""
    ) -> AuditEntry | None:
        """:func:`judge` with this audit's target, platform, kind and owners."""
        return judge(
            dep,
            doc,
            target=self.target,
            platform=self.platform,
            kind=self.kind,
            owner_version=self.owner_version,
            whole=whole,
            files_from=files_from,
        )

    def entry(self, dep: Dependency, probe_missing: ProbeMissing | None) -> AuditEntry:
        """The entry of ``dep``: from its head when that settles it, else from the whole
        document; an unknown pin probed on demand when ``probe_missing`` is given."""
        head, whole = self.newest(dep.name)
        entry = self.judged(dep, head, whole)
        if entry is None:
            entry = self.judged(dep, self.document(dep.name), True)
        assert entry is not None  # a whole document always settles
        if entry.status is Status.UNKNOWN and probe_missing is not None:
            fresh = probe_missing(dep.name, dep.version, self.target)
            if fresh is not None:
                self.documents[dep.name] = fresh
                entry = self.judged(dep, fresh, True)
                assert entry is not None
        return entry


def _look_up_unknown(
    entries: list[AuditEntry],
    dependencies: Sequence[Dependency],
    lookup: Lookup,
    judged: Callable[[Dependency, ProjectDocument | None], AuditEntry | None],
    document: Callable[[str], ProjectDocument | None],
) -> None:
    """Judge again, from the files ``lookup`` finds, each pinned entry still ``unknown``
    that has no files of its own (in place)."""
    missing = [
        i
        for i, (entry, dep) in enumerate(zip(entries, dependencies, strict=True))
        if entry.status is Status.UNKNOWN and dep.version is not None and not dep.files
    ]
    if not missing:
        return
    found = lookup([(dependencies[i].name, dependencies[i].version or "") for i in missing])
    for i in missing:
        dep = dependencies[i]
        files = found.get((dep.name, dep.version or ""))
        if files:
            fresh = judged(msgspec.structs.replace(dep, files=files), document(dep.name))
            if fresh is not None:
                entries[i] = fresh
