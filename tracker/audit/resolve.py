"""Judge each dependency against a verdict source, for one target and platform.

For a pinned dependency the locked version is judged; for a loose one
(``numpy>=2``) the newest non-yanked version its specifier allows. A blocked
or unproven dependency gets the first version above it that is ``ready`` (or
``pure``) on the target: "upgrade numpy 2.4.6 → 2.5.0 for 3.15t". A project
the source does not track is ``unknown``; with a ``probe_missing`` callback,
the resolver asks it for a fresh document first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from tracker.audit.environment import marker_applies
from tracker.audit.report import AuditEntry, AuditReport, SkippedEntry
from tracker.errors import SourceError
from tracker.models import (
    BLOCKING_STATUSES,
    Culprit,
    Dependency,
    Evidence,
    Status,
    get_target,
)
from tracker.verdicts.interface import ProjectDoc, VerdictSource

__all__ = ["ProbeMissing", "default_target", "judge", "resolve"]

#: ``probe_missing(name, version or None, target)`` -> a fresh project document, or None.
ProbeMissing = Callable[[str, str | None, str], ProjectDoc | None]

_GOOD = frozenset({Status.READY, Status.PURE})
_WHEEL_STATUSES = frozenset(
    {
        Status.READY,
        Status.GIL_REENABLED,
        Status.IMPORT_FAILED,
        Status.CRASHED,
        Status.TIMED_OUT,
        Status.INSTALL_FAILED,
        Status.WHEEL_ONLY,
    }
)
_DETAIL_LIMIT = 240
_STATUS_BY_VALUE: dict[object, Status] = {s.value: s for s in Status}


def default_target(source: VerdictSource) -> str:
    """The newest target ``source`` has data for."""
    known = []
    for name in source.targets():
        try:
            known.append(get_target(name))
        except ValueError:
            continue
    if not known:
        raise SourceError(f"{source.describe()}: has no verdicts for any known target")
    return max(known).name


class _Release:
    """One release of a project document; its version is parsed only when needed
    (a real project lists hundreds of releases and an audit looks at a few)."""

    __slots__ = ("_parsed", "targets", "version", "yanked")

    def __init__(self, version: str, yanked: bool, targets: dict[str, Any]) -> None:
        self.version = version
        self.yanked = yanked
        self.targets = targets
        self._parsed: Version | bool | None = False

    @property
    def parsed(self) -> Version | None:
        """The parsed version, or None when it is not a valid version."""
        if self._parsed is False:
            self._parsed = _parse_version(self.version)
        assert self._parsed is not True
        return self._parsed


@dataclass(frozen=True)
class _Verdict:
    status: Status
    evidence: Evidence
    checked_at: str | None
    culprits: tuple[Culprit, ...]
    detail: str


def _parse_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _releases(doc: ProjectDoc, kind: str) -> list[_Release]:
    raw = doc.get("releases")
    if not isinstance(raw, list):
        raise SourceError(f'{kind}: project {doc.get("name")!r}: "releases" is not a list')
    releases = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("version"), str):
            continue
        targets = item.get("targets")
        releases.append(
            _Release(
                version=item["version"],
                yanked=bool(item.get("yanked")),
                targets=targets if isinstance(targets, dict) else {},
            )
        )
    return releases


def _culprits(raw: object) -> tuple[Culprit, ...]:
    if not isinstance(raw, list):
        return ()
    found = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("module"), str):
            found.append(Culprit(module=item["module"], owner=str(item.get("owner") or "")))
    return tuple(found)


def _foreign(culprit: Culprit) -> bool:
    """True when the culprit module belongs to another distribution than its top package."""
    if not culprit.owner:
        return False
    top = culprit.module.split(".")[0].lower().replace("_", "-")
    return top != culprit.owner.lower().replace("_", "-").replace(".", "-")


def _verdict(release: _Release, target: str, platform: str) -> _Verdict | None:
    """The verdict of one release on ``target`` × ``platform``, or None if it has none."""
    entry = release.targets.get(target)
    if not isinstance(entry, dict):
        return None
    status = _STATUS_BY_VALUE.get(entry.get("status"))
    if status is None:
        return None
    evidence = Evidence.PROBE if entry.get("evidence") == "probe" else Evidence.TAGS
    probe = entry.get("probe") if isinstance(entry.get("probe"), dict) else None
    probed_at = entry.get("probed_at") if isinstance(entry.get("probed_at"), str) else None
    culprits = _culprits(entry.get("culprits"))
    platforms = entry.get("platforms") if isinstance(entry.get("platforms"), list) else []
    if (
        status in _WHEEL_STATUSES
        and platforms
        and platform not in platforms
        and "any" not in platforms
    ):
        has = ", ".join(str(p) for p in platforms)
        return _Verdict(
            Status.NO_FT_WHEEL,
            Evidence.TAGS,
            None,
            (),
            f"no free-threaded wheel for {platform} (wheels for: {has})",
        )
    detail = ""
    if status is Status.GIL_REENABLED and culprits:
        named = ", ".join(
            c.module + (f" (from {c.owner})" if _foreign(c) else "") for c in culprits
        )
        detail = f"importing {named} re-enables the GIL"
    else:
        detail = status.description
    if probe is not None:
        reason = _probe_reason(probe, status)
        if reason:
            detail += f": {reason}"
        probed_on = probe.get("platform")
        if isinstance(probed_on, str) and probed_on and probed_on != platform:
            detail += f" (probed on {probed_on})"
    if len(detail) > _DETAIL_LIMIT:
        detail = detail[: _DETAIL_LIMIT - 1] + "…"
    checked_at = probed_at if evidence is Evidence.PROBE else None
    return _Verdict(status, evidence, checked_at, culprits, detail)


_FAILED_OUTCOMES = {
    Status.IMPORT_FAILED: "import-failed",
    Status.CRASHED: "crashed",
    Status.TIMED_OUT: "timed-out",
}


def _probe_reason(probe: dict[str, Any], status: Status) -> str:
    """Why a probe failed: the first module that failed that way, else the probe's detail."""
    outcome = _FAILED_OUTCOMES.get(status)
    modules = probe.get("modules")
    if outcome is not None and isinstance(modules, list):
        for module in modules:
            if (
                isinstance(module, dict)
                and module.get("outcome") == outcome
                and not module.get("optional")
            ):
                return f"{module.get('name')}: {module.get('detail') or outcome}"
    extra = probe.get("detail")
    if isinstance(extra, str) and extra.strip() and (outcome or status is Status.INSTALL_FAILED):
        return extra.strip().splitlines()[-1]
    return ""


def _pick(dep: Dependency, releases: list[_Release]) -> tuple[_Release | None, str]:
    """The release to judge: the pinned one, or the newest the specifier allows."""
    if dep.version is not None:
        exact = next((r for r in releases if r.version == dep.version), None)
        if exact is not None:
            return exact, ""
        wanted = _parse_version(dep.version)
        for release in releases:
            if wanted is not None and release.parsed == wanted:
                return release, ""
        newest = next((r.version for r in releases if not r.yanked), None)
        hint = f" (newest tracked: {newest})" if newest else ""
        return None, f"version {dep.version} is not tracked{hint}"
    try:
        specifier = SpecifierSet(dep.specifier)
    except InvalidSpecifier:
        return None, f"cannot read the specifier {dep.specifier!r}"
    live = [r for r in releases if not r.yanked]
    # Documents list releases newest first: the first one the specifier takes is
    # the answer, and the older ones are never parsed.
    for release in live if specifier.prereleases is not True else ():
        if release.parsed is not None and specifier.contains(release.parsed, prereleases=False):
            return release, ""
    candidates = {r.parsed: r for r in live if r.parsed is not None}
    allowed = list(specifier.filter(candidates))
    if not allowed:
        return None, f"no tracked release matches {dep.specifier or 'any version'}"
    return candidates[max(allowed)], ""


def _first_ready(
    doc: ProjectDoc, releases: list[_Release], after: _Release, target: str, platform: str
) -> str | None:
    """The lowest non-yanked version above ``after`` that is ready or pure on the target."""
    if after.parsed is None:
        return None
    ready: list[tuple[Version, str]] = []
    for release in releases:
        if release is after:
            break  # newest first: everything from here on is older
        if release.yanked or release.parsed is None or release.parsed <= after.parsed:
            continue
        verdict = _verdict(release, target, platform)
        if verdict is not None and verdict.status in _GOOD:
            ready.append((release.parsed, release.version))
    if ready:
        return min(ready)[1]
    first = doc.get("first_ready")
    listed = first.get(target) if isinstance(first, dict) else None
    if isinstance(listed, str):
        parsed = _parse_version(listed)
        known = {r.version for r in releases}
        if parsed is not None and parsed > after.parsed and listed not in known:
            return listed
    return None


def judge(
    dep: Dependency, doc: ProjectDoc | None, *, target: str, platform: str, kind: str
) -> AuditEntry:
    """The audit entry for one dependency, given its project document (or None)."""
    if doc is None:
        return _unknown(dep, f"not tracked by the {kind}")
    releases = _releases(doc, kind)
    release, why = _pick(dep, releases)
    if release is None:
        return _unknown(dep, why)
    verdict = _verdict(release, target, platform)
    if verdict is None:
        return _unknown(dep, f"no verdict for {release.version} on {target}", release.version)
    detail = verdict.detail
    first_ready = None
    if verdict.status not in _GOOD:
        first_ready = _first_ready(doc, releases, release, target, platform)
        if first_ready is not None:
            detail += f"; upgrade {dep.name} {release.version} → {first_ready} for {target}"
    if release.yanked:
        detail += f"; {release.version} is yanked"
    classifier = doc.get("classifier")
    if isinstance(classifier, str) and classifier:
        detail += f" [maintainer: {classifier.rsplit('::', 1)[-1].strip()}]"
    return AuditEntry(
        name=dep.name,
        version=release.version if dep.version is None else dep.version,
        specifier=dep.specifier,
        origin=dep.origin,
        status=verdict.status,
        evidence=verdict.evidence,
        checked_at=verdict.checked_at,
        culprits=verdict.culprits,
        first_ready_version=first_ready,
        detail=detail,
    )


def _unknown(dep: Dependency, why: str, version: str | None = None) -> AuditEntry:
    return AuditEntry(
        name=dep.name,
        version=dep.version or version,
        specifier=dep.specifier,
        origin=dep.origin,
        status=Status.UNKNOWN,
        evidence=Evidence.NONE,
        detail=why,
    )


def _document(source: VerdictSource, dep: Dependency) -> ProjectDoc | None:
    """The project document judging ``dep`` needs: for a pin, sources that can
    (the snapshot) return only the pinned and newer releases."""
    partial = getattr(source, "project_down_to", None)
    if dep.version is not None and callable(partial):
        document: ProjectDoc | None = partial(dep.name, dep.version)
        return document
    return source.project(dep.name)


def resolve(
    dependencies: Iterable[Dependency],
    source: VerdictSource,
    *,
    target: str,
    platform: str,
    input_name: str,
    fail_on: frozenset[Status] = BLOCKING_STATUSES,
    probe_missing: ProbeMissing | None = None,
) -> AuditReport:
    """Judge every dependency; markers that exclude ``target`` × ``platform`` skip it."""
    entries: list[AuditEntry] = []
    skipped: list[SkippedEntry] = []
    seen: set[tuple[str, str | None, str]] = set()
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
        doc = _document(source, dep)
        entry = judge(dep, doc, target=target, platform=platform, kind=source.kind)
        if entry.status is Status.UNKNOWN and probe_missing is not None:
            fresh = probe_missing(dep.name, dep.version, target)
            if fresh is not None:
                entry = judge(dep, fresh, target=target, platform=platform, kind=source.kind)
        entries.append(entry)
    return AuditReport(
        input=input_name,
        target=target,
        platform=platform,
        source=source.describe(),
        entries=tuple(entries),
        skipped=tuple(skipped),
        fail_on=fail_on,
    )
