"""Probing on demand: which jobs probe a project now, and the auditor's ``--probe-missing``.

Shared by ``fttrack serve`` (``POST /api/v1/probe``, through
:mod:`tracker.api.hooks`) and ``fttrack audit --probe-missing``: both ask
:func:`probe_jobs` which (release, target) jobs to run for a project.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

from tracker.crawl import crawl_once, probe_candidates
from tracker.documents import ProjectDocument
from tracker.errors import FttrackError
from tracker.models import ProbeJob
from tracker.store.engine import Store

__all__ = ["make_probe_missing", "probe_jobs"]


def probe_jobs(
    store: Store, name: str, version: str | None, targets: Iterable[str]
) -> list[ProbeJob]:
    """The jobs that probe ``name`` on ``targets``: ``version`` on each, or, without a
    version, each target's newest unprobed release with a free-threaded wheel."""
    wanted = list(targets)
    if version is not None:
        return [ProbeJob(name, version, t) for t in wanted]
    return probe_candidates(store, wanted, names=[name])


def make_probe_missing(
    *, target: str, platform: str
) -> Callable[[str, str | None, str], ProjectDocument | None]:
    """A ``probe_missing(name, version, target)`` callback over the local database.

    The project is added to the watch list (reason ``audit``), crawled from the
    configured index, and its release (the pinned version, else the newest with
    a free-threaded wheel) is probed on the target when this machine has that
    interpreter. The answer is the fresh project document.
    """
    from tracker.config import load_settings
    from tracker.jobs import run_probe_job
    from tracker.store.engine import open_store

    settings = load_settings()
    store = open_store(settings.db_url)

    def probe_missing(name: str, version: str | None, wanted: str) -> ProjectDocument | None:
        print(f"fttrack: probing {name} on {wanted} (not in the verdict source)", file=sys.stderr)
        store.add_to_watchlist([name], "audit")
        report = crawl_once([name], store, index_url=settings.index_url)
        if name in report.not_found or name in report.failed:
            return None
        for job in probe_jobs(store, name, version, [wanted]):
            try:
                run_probe_job(job, store, settings)
            except FttrackError as exc:  # no interpreter or sandbox here: tags are still an answer
                print(f"fttrack: {name} not probed: {exc}", file=sys.stderr)
                break
        return store.project_document(name)

    return probe_missing
