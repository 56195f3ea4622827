"""One crawl: index pages → tag classification → store, then what to probe next.

:func:`crawl_once` fetches every named project concurrently (bounded by the
index client), skips projects whose ``_last-serial``/ETag is unchanged, stores
each changed page in its own transaction (a kill never leaves half a
release), and reads the maintainer's Free Threading classifier from the core
metadata of the newest release (the project's) and of each release a probe judged
whose classifier is not read yet (the release's own; a release already read is not
read again, and a project whose page did not change is fetched again only when a
probe judged one of its unread releases after the page was last stored).
:func:`probe_candidates` lists the (project, version, target) triples that have a
free-threaded wheel but no probe yet: the scheduler's and the snapshot builder's
work queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from packaging.version import InvalidVersion, Version

from tracker.documents import (
    ProjectDocument,
    ReleaseDocument,
    TargetVerdict,
    classifier_level,
    current_release,
    summarize,
)
from tracker.errors import IndexUnavailable, ProjectNotFound, StoreError
from tracker.index.interface import IndexFile, ProjectPage, Unchanged
from tracker.index.pypi import PypiIndex
from tracker.models import Evidence, ProbeJob, Status
from tracker.names import normalize_name
from tracker.store.engine import Store
from tracker.store.queries import PageFile
from tracker.vocabulary import BINARY_STATUSES

__all__ = [
    "CrawlReport",
    "crawl_once",
    "failure_reason",
    "probe_candidates",
    "release_classifiers",
]

Progress = Callable[[str], None]

log = logging.getLogger(__name__)

#: The longest reason kept for a failed project (a hostile page can make messages huge).
_REASON_CHARS = 300
#: The longest classifier level stored for a release (the store's column).
_LEVEL_CHARS = 200


@dataclass
class CrawlReport:
    """What one crawl did."""

    fetched: int = 0
    unchanged: int = 0
    new_releases: list[tuple[str, str]] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for logs and the CLI."""
        return (
            f"{self.fetched} fetched, {self.unchanged} unchanged, "
            f"{len(self.new_releases)} new releases, {len(self.not_found)} not found, "
            f"{len(self.failed)} failed"
        )


def _newest_wheel(page: ProjectPage) -> IndexFile | None:
    """A wheel of the newest final release, for reading core metadata."""

    def key(file: IndexFile) -> Version:
        try:
            return Version(file.version or "0")
        except InvalidVersion:
            return Version("0")

    wheels = [f for f in page.files if f.is_wheel and not f.yanked]
    finals = [f for f in wheels if not key(f).is_prerelease] or wheels
    return max(finals, key=key) if finals else None


async def _metadata(index: PypiIndex, page: ProjectPage) -> tuple[str | None, list[str] | None]:
    """The maintainer's Free Threading classifier and the dependency names of the
    newest release (None, None when its metadata cannot be read)."""
    wheel = _newest_wheel(page)
    if wheel is None:
        return None, None
    try:
        metadata = await index.fetch_metadata(wheel)
    except IndexUnavailable:
        return None, None
    return metadata.free_threading or "", required_names(metadata.requires_dist)


def _metadata_file(files: Iterable[IndexFile]) -> IndexFile | None:
    """The file of one release whose core metadata is read: a wheel (non-yanked first,
    one with a ``.metadata`` file first), else an sdist that offers a ``.metadata`` file."""
    wheels = sorted(
        (f for f in files if f.is_wheel or f.has_metadata),
        key=lambda f: (not f.is_wheel, f.yanked, not f.has_metadata, f.filename),
    )
    return wheels[0] if wheels else None


async def release_classifiers(
    index: PypiIndex, page: ProjectPage, versions: Iterable[str]
) -> dict[str, str]:
    """The Free Threading classifier's support level each of ``versions`` declares in
    its own core metadata (``""``: none), read concurrently (bounded by the index
    client); a version whose metadata cannot be read is left out (read again later)."""
    by_version = page.files_by_version()

    async def one(version: str) -> tuple[str, str | None]:
        file = _metadata_file(by_version.get(version, ()))
        if file is None:
            return version, None
        try:
            metadata = await index.fetch_metadata(file)
        except IndexUnavailable as exc:
            log.info("classifier of %s %s not read: %s", page.name, version, exc)
            return version, None
        return version, (classifier_level(metadata.free_threading) or "")[:_LEVEL_CHARS]

    read = await asyncio.gather(*(one(v) for v in dict.fromkeys(versions)))
    return {version: level for version, level in read if level is not None}


async def _release_levels(
    index: PypiIndex, store: Store, page: ProjectPage, newest: str | None
) -> dict[str, str]:
    """The classifier levels of the page's releases a probe judged and whose classifier
    is not read yet (none on a first crawl: nothing is probed); ``newest``: the
    newest release's classifier as just read (``""``: none; None: not read), not read twice."""
    unread = await asyncio.to_thread(store.unread_classifiers, page.name)
    if not unread:
        return {}
    levels: dict[str, str] = {}
    wheel = _newest_wheel(page)
    if newest is not None and wheel is not None and wheel.version in unread:
        levels[wheel.version] = (classifier_level(newest) or "")[:_LEVEL_CHARS]
    rest = [v for v in unread if v not in levels]
    return levels | await release_classifiers(index, page, rest)


def required_names(requires_dist: Iterable[str]) -> list[str]:
    """Normalised names of the requirements an install without extras pulls in.

    >>> required_names(["numpy>=1.26", "pytest; extra == 'test'", "Typing_Extensions"])
    ['numpy', 'typing-extensions']
    """
    from tracker.names import split_requirements

    return sorted(split_requirements(requires_dist)[0])


async def _crawl(
    names: Sequence[str],
    store: Store,
    index: PypiIndex,
    *,
    with_metadata: bool,
    progress: Progress,
    report: CrawlReport,
    concurrency: int,
    force: bool = False,
) -> None:
    # Bound the pages held in memory: fetching outpaces the serialised writes.
    in_flight = asyncio.Semaphore(max(2, 2 * concurrency))
    # a release probed after its page was stored has its classifier read now, not at the
    # page's next change
    reread = await asyncio.to_thread(store.probed_since_crawled) if with_metadata else set()

    async def one(name: str) -> None:
        async with in_flight:
            try:
                await fetch_and_store(name)
            except Exception as exc:  # one bad page must not end the crawl of the others
                reason = failure_reason(exc)
                report.failed[name] = reason
                log.warning("crawl of %s failed: %s", name, reason)

    async def fetch_and_store(name: str) -> None:
        fresh = force or name in reread
        state = (None, None) if fresh else (store.project_state(name) or (None, None))
        try:
            result = await index.fetch_project(name, state[0], state[1])
        except ProjectNotFound:
            report.not_found.append(name)
            return
        finally:
            progress(name)
        if isinstance(result, Unchanged):
            report.unchanged += 1
            return
        classifier, requires = await _metadata(index, result) if with_metadata else (None, None)
        levels = await _release_levels(index, store, result, classifier) if with_metadata else {}
        files = [
            PageFile(f.version, f.filename, f.yanked, f.size, f.upload_time) for f in result.files
        ]
        upserted = await asyncio.to_thread(
            store.upsert_project_page,
            result.name,
            result.last_serial,
            result.etag,
            files,
            classifier=classifier,
            requires=requires,
            release_classifiers=levels,
        )
        report.fetched += 1
        report.new_releases += [(result.name, v) for v in upserted.new_versions]

    await asyncio.gather(*(one(name) for name in names))


def failure_reason(exc: BaseException) -> str:
    """One short line saying why a project could not be crawled (never SQL, never a traceback).

    >>> failure_reason(ValueError("Exceeds the limit (4300 digits)\\nmore"))
    'ValueError: Exceeds the limit (4300 digits)'
    """
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, IndexUnavailable | StoreError):
        text = str(exc)
    elif isinstance(exc, SQLAlchemyError):
        # str() of a statement error carries the SQL and its parameters: keep the driver's words
        orig = getattr(exc, "orig", None)
        text = f"database refused the page: {orig if orig is not None else type(exc).__name__}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    lines = text.strip().splitlines()
    line = lines[0] if lines else type(exc).__name__
    return line if len(line) <= _REASON_CHARS else line[: _REASON_CHARS - 1] + "…"


def crawl_once(
    names: Iterable[str],
    store: Store,
    *,
    index_url: str | None = None,
    concurrency: int = 8,
    with_metadata: bool = True,
    force: bool = False,
    progress: Progress = lambda name: None,
) -> CrawlReport:
    """Crawl ``names`` into ``store``; failures are counted in the report, not raised.

    A project whose page cannot be fetched, parsed or stored (whatever the
    reason) is listed in ``report.failed`` with a one-line reason, logged as
    a warning, and the crawl goes on with the others.

    ``force`` fetches and stores every page (and its metadata) even when the
    index says it has not changed.
    """
    from packaging.utils import canonicalize_name

    unique = list(dict.fromkeys(str(canonicalize_name(n)) for n in names))
    report = CrawlReport()

    async def run() -> None:
        async with PypiIndex(index_url, concurrency=concurrency) as index:
            await _crawl(
                unique, store, index, with_metadata=with_metadata, progress=progress,
                report=report, concurrency=concurrency, force=force,
            )  # fmt: skip

    asyncio.run(run())
    return report


def probe_candidates(
    store: Store,
    targets: Iterable[str],
    *,
    names: Iterable[str] | None = None,
    again: Iterable[str] = (),
    newest_with_wheel: bool = False,
    pure_with_binary_deps: bool = False,
    first_ready_releases: bool = False,
    sdist_builds: bool = False,
) -> list[ProbeJob]:
    """Releases to probe: per project and target, one release with a free-threaded
    wheel for the target and no probe on it yet.

    The release is the project's current one, or with ``newest_with_wheel`` the
    newest final, non-yanked release that has a free-threaded wheel for the
    target (numpy's newest with a cp313t wheel is older than its current
    release). ``again``: statuses whose probed releases are probed once more
    (e.g. after the probe itself improved); the new run joins the history and wins.
    ``pure_with_binary_deps`` adds pure current releases that require a
    project whose current release is binary on the target: importing them
    loads those extension modules, so a probe can still find a culprit.
    ``first_ready_releases`` adds the release a project's first ready version
    (or first wheel) names when only an inference stands behind it, so that an
    upgrade hint rests on a probe.
    ``sdist_builds`` adds current releases that ship only an sdist (``sdist-only``
    from the tags, not tried yet): the job builds the sdist in the sandbox and
    judges the wheel (:mod:`tracker.probe.sdist`).
    """
    redo = {str(s) for s in again}
    wanted = list(targets)
    documents = list(store.documents(names))
    if names is not None:  # in the order given (the seed list: most downloaded first)
        rank = {n: i for i, n in enumerate(dict.fromkeys(normalize_name(n) for n in names))}
        documents.sort(key=lambda d: rank.get(d.name, len(rank)))
    requires = store.project_requires([d.name for d in documents])
    binary = _binary_projects(store, wanted, requires, documents) if pure_with_binary_deps else {}
    jobs: list[ProbeJob] = []
    for document in documents:
        current = current_release(document.releases)
        if current is None:
            continue
        for target in wanted:
            release = _newest_with_wheel(document, target) if newest_with_wheel else current
            verdict = release.targets.get(target) if release is not None else None
            untried = (
                verdict is not None
                and verdict.evidence is Evidence.TAGS
                and verdict.status is Status.WHEEL_ONLY
            )
            retry = (
                verdict is not None
                and verdict.evidence is Evidence.PROBE
                and verdict.status.value in redo
            )
            if release is not None and (untried or retry):
                jobs.append(ProbeJob(document.name, release.version, target))
            else:
                own = current.targets.get(target)
                if (
                    own is not None
                    and own.evidence is Evidence.TAGS
                    and own.status is Status.PURE
                    and any(dep in binary.get(target, set()) for dep in requires[document.name])
                ):
                    jobs.append(ProbeJob(document.name, current.version, target))
            own = current.targets.get(target)
            if (
                sdist_builds
                and own is not None
                and own.evidence is Evidence.TAGS
                and own.status is Status.SDIST_ONLY
            ):
                jobs.append(ProbeJob(document.name, current.version, target))
            if first_ready_releases:
                jobs += _hint_jobs(document, target, jobs)
    return jobs


def _hint_jobs(document: ProjectDocument, target: str, queued: list[ProbeJob]) -> list[ProbeJob]:
    """The release an upgrade hint would name, when unprobed: the summary's first ready
    version, else its first wheel (a hint names the first wheel only when there is no
    first ready version: the first wheel is never newer than it)."""
    cell = (document.summary or summarize(document)).cell(target)
    version = cell.first_ready or cell.first_wheel
    if version is None:
        return []
    release = next((r for r in document.releases if r.version == version), None)
    verdict = release.targets.get(target) if release is not None else None
    job = ProbeJob(document.name, version, target)
    if verdict is None or verdict.evidence is Evidence.PROBE or job in queued:
        return []
    return [job]


def _binary_projects(
    store: Store,
    targets: list[str],
    requires: dict[str, list[str]],
    loaded: list[ProjectDocument],
) -> dict[str, set[str]]:
    """Per target, the required projects whose current release ships binary code of
    its own (a pure dependency that was probed does not count: only direct
    dependencies with extension modules make a pure release worth probing).

    ``loaded``: documents already read; only the other required projects are read.
    """
    by_name = {d.name: d for d in loaded}
    wanted = {name for names in requires.values() for name in names}
    documents = [by_name[n] for n in sorted(wanted & by_name.keys())]
    documents += list(store.documents(sorted(wanted - by_name.keys())))
    found: dict[str, set[str]] = {t: set() for t in targets}
    for document in documents:
        current = current_release(document.releases)
        if current is None:
            continue
        for target in targets:
            verdict = current.targets.get(target)
            if verdict is None:
                continue
            if verdict.status in BINARY_STATUSES and not verdict.pure_release:
                found[target].add(document.name)
    return found


def _built_without_wheel(verdict: TargetVerdict) -> bool:
    """Whether a probe verdict is that of a release built from its sdist that has no
    extension modules (``pure``) or did not build (``sdist-only``): it ships no wheel."""
    return verdict.status in (Status.PURE, Status.SDIST_ONLY) and not verdict.platforms


def _newest_with_wheel(document: ProjectDocument, target: str) -> ReleaseDocument | None:
    """The newest final, non-yanked release with a free-threaded wheel (or a probe) for target."""
    best: tuple[Version, ReleaseDocument] | None = None
    for release in document.releases:
        verdict = release.targets.get(target)
        has_wheel = verdict is not None and (
            verdict.status is Status.WHEEL_ONLY
            or (verdict.evidence is Evidence.PROBE and not _built_without_wheel(verdict))
        )
        if release.yanked or not has_wheel:
            continue
        try:
            version = Version(release.version)
        except InvalidVersion:
            continue
        if not version.is_prerelease and (best is None or version > best[0]):
            best = (version, release)
    return best[1] if best else None
