"""Build the project and feed documents from the store: one truth for the API,
``fttrack export`` and the shipped snapshot.

Per release and target, the verdict comes from the files' tags
(:func:`tracker.wheels.release_tag_summary`) unless a probe decided it: the
latest probe run for (release, target) overrides the tags. ``first_ready`` names,
per target, the lowest non-yanked version that is ``ready`` or ``pure`` there.

Document format (``schema`` 1)::

    {"schema": 1, "generated": "<ISO UTC>", "targets": ["3.13t", "3.14t", "3.15t"],
     "projects": [<project document>, ...]}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from tracker.models import TARGETS, Evidence, Status
from tracker.releases import current_release, is_prerelease
from tracker.store.queries import (
    ProjectRows,
    ReleaseRows,
    iso,
    load_projects,
    normalize_name,
)
from tracker.store.tables import File, ProbeRun
from tracker.wheels import FileTags, release_tag_summary

__all__ = [
    "FEED_SCHEMA",
    "TARGET_NAMES",
    "build_feed",
    "build_project_document",
    "current_release",
    "feed_document",
    "find_in_feed",
    "probe_run_document",
    "project_document",
    "project_summary",
    "status_counts",
    "verdict_of",
]

FEED_SCHEMA = 1
TARGET_NAMES: tuple[str, ...] = tuple(t.name for t in TARGETS)
_READY = (Status.READY.value, Status.PURE.value)


def _file_tags(row: File) -> FileTags:
    return FileTags(
        filename=row.filename,
        kind=row.kind,
        project=None,
        version=None,
        targets=frozenset(row.targets),
        platforms=frozenset(row.platforms),
        pure=row.pure,
        gil_only=row.gil_only,
        abi3t=row.abi3t,
    )


def _probe_block(run: ProbeRun) -> dict[str, Any]:
    return {
        "interpreter": run.interpreter,
        "sandbox": run.sandbox,
        "platform": run.platform,
        "modules": [
            {
                "name": str(m.get("name", "")),
                "outcome": str(m.get("outcome", "")),
                "detail": str(m.get("detail", "")),
                "owner": str(m.get("owner", "")),
            }
            for m in run.modules
        ],
        "timings": dict(run.timings),
        "stderr_tail": run.stderr_tail,
        "detail": run.detail,
    }


def _culprits(run: ProbeRun) -> list[dict[str, str]]:
    return [
        {"module": str(c.get("module", "")), "owner": str(c.get("owner", ""))} for c in run.culprits
    ]


def _target_verdicts(rows: ReleaseRows) -> dict[str, dict[str, Any]]:
    stored = rows.release.tags or {}
    live = [f for f in rows.files if not f.yanked] or rows.files
    tags = [_file_tags(f) for f in live]
    verdicts: dict[str, dict[str, Any]] = {}
    for target in TARGET_NAMES:
        if rows.files:
            status, platforms = release_tag_summary(tags, target)
            tag_status, tag_platforms = status.value, platforms
        else:
            imported = stored.get(target) or {}
            tag_status = str(imported.get("status", Status.UNKNOWN.value))
            tag_platforms = [str(p) for p in imported.get("platforms", [])]
        run = rows.latest_probes.get(target)
        if run is None:
            verdicts[target] = {
                "status": tag_status,
                "evidence": Evidence.TAGS.value,
                "platforms": tag_platforms,
                "culprits": [],
                "probed_at": None,
                "probe": None,
            }
        else:
            verdicts[target] = {
                "status": run.status,
                "evidence": Evidence.PROBE.value,
                "platforms": tag_platforms,
                "culprits": _culprits(run),
                "probed_at": iso(run.probed_at),
                "probe": _probe_block(run),
            }
    return verdicts


def _first_ready(releases: list[dict[str, Any]]) -> dict[str, str]:
    """Per target, the lowest non-yanked final release that is ready or pure
    (a pre-release only when no final release is)."""
    first: dict[str, str] = {}
    for finals_only in (True, False):
        for release in reversed(releases):  # oldest first
            if release["yanked"] or (finals_only and is_prerelease(release["version"])):
                continue
            for target, verdict in release["targets"].items():
                if target not in first and verdict["status"] in _READY:
                    first[target] = release["version"]
    return {t: first[t] for t in TARGET_NAMES if t in first}


def project_document(rows: ProjectRows) -> dict[str, Any]:
    """The project document for loaded rows (see the module docstring)."""
    releases = [
        {
            "version": r.release.version,
            "yanked": bool(r.release.yanked),
            "uploaded": iso(r.release.uploaded),
            "targets": _target_verdicts(r),
        }
        for r in rows.releases
    ]
    return {
        "name": rows.project.name,
        "display_name": rows.project.display_name,
        "classifier": rows.project.classifier,
        "watch_reason": rows.watch_reason,
        "releases": releases,
        "first_ready": _first_ready(releases),
    }


def build_project_document(name: str, *, session: Session) -> dict[str, Any] | None:
    """The project document for ``name`` (any spelling), or None if the store lacks it."""
    loaded = load_projects(session=session, names=[name])
    return project_document(loaded[0]) if loaded else None


def feed_document(
    projects: Iterable[dict[str, Any]], *, generated: datetime | None = None
) -> dict[str, Any]:
    """Wrap project documents into a feed document."""
    return {
        "schema": FEED_SCHEMA,
        "generated": iso(generated or datetime.now(UTC)),
        "targets": list(TARGET_NAMES),
        "projects": list(projects),
    }


def build_feed(
    *, session: Session, names: Iterable[str] | None = None, generated: datetime | None = None
) -> dict[str, Any]:
    """The whole feed (or only ``names``), projects sorted by name."""
    return feed_document(
        (project_document(rows) for rows in load_projects(session=session, names=names)),
        generated=generated,
    )


def verdict_of(document: Mapping[str, Any], target: str) -> tuple[str | None, dict[str, Any]]:
    """(version, verdict) of the current release on ``target``; ``unknown`` when there is none."""
    release = current_release(document)
    unknown: dict[str, Any] = {
        "status": Status.UNKNOWN.value,
        "evidence": Evidence.NONE.value,
        "platforms": [],
        "culprits": [],
        "probed_at": None,
        "probe": None,
    }
    if release is None:
        return None, unknown
    verdict = release.get("targets", {}).get(target)
    return str(release["version"]), dict(verdict) if verdict else unknown


def project_summary(document: Mapping[str, Any]) -> dict[str, Any]:
    """A short line for lists: name, current version and status/evidence per target."""
    release = current_release(document)
    targets: dict[str, dict[str, str]] = {}
    for target in TARGET_NAMES:
        _, verdict = verdict_of(document, target)
        targets[target] = {"status": verdict["status"], "evidence": verdict["evidence"]}
    return {
        "name": document["name"],
        "display_name": document.get("display_name") or document["name"],
        "classifier": document.get("classifier"),
        "watch_reason": document.get("watch_reason"),
        "version": None if release is None else release["version"],
        "targets": targets,
        "first_ready": dict(document.get("first_ready") or {}),
    }


def status_counts(feed: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Per target, how many projects' current releases have each status (all statuses listed)."""
    counts: dict[str, Counter[str]] = {t: Counter() for t in TARGET_NAMES}
    for document in feed.get("projects", []):
        for target in TARGET_NAMES:
            counts[target][verdict_of(document, target)[1]["status"]] += 1
    return {t: {s.value: counts[t][s.value] for s in Status} for t in TARGET_NAMES}


def probe_run_document(run: ProbeRun) -> dict[str, Any]:
    """One probe run of a release's history, with every recorded field."""
    return {
        "target": run.target,
        "platform": run.platform,
        "status": run.status,
        "evidence": Evidence.PROBE.value,
        "culprits": _culprits(run),
        "modules": [dict(m) for m in run.modules],
        "interpreter": run.interpreter,
        "sandbox": run.sandbox,
        "timings": dict(run.timings),
        "stderr_tail": run.stderr_tail,
        "detail": run.detail,
        "installed": list(run.installed),
        "probed_at": iso(run.probed_at),
    }


def find_in_feed(feed: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The project document named ``name`` (any spelling) in a feed, or None."""
    wanted = normalize_name(name)
    for document in feed.get("projects", []):
        if document.get("name") == wanted:
            return dict(document)
    return None
