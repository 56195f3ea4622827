"""``fttrack audit --probe-missing``: crawl and probe, on demand, what the source does not know.

The project is added to the local database's watch list (reason ``audit``),
crawled from the configured index, and its release (the pinned version, else
the newest with a free-threaded wheel) is probed on the target when this
machine has that interpreter. The answer is the fresh project document.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from tracker.documents import ProjectDocument

__all__ = ["make_probe_missing"]


def make_probe_missing(
    *, target: str, platform: str
) -> Callable[[str, str | None, str], ProjectDocument | None]:
    """A ``probe_missing(name, version, target)`` callback over the local database."""
    from tracker.config import load_settings
    from tracker.crawl import crawl_once, probe_candidates
    from tracker.errors import FttrackError
    from tracker.jobs import run_probe_job
    from tracker.models import ProbeJob
    from tracker.store.engine import open_store

    settings = load_settings()
    store = open_store(settings.db_url)

    def probe_missing(name: str, version: str | None, wanted: str) -> ProjectDocument | None:
        print(f"fttrack: probing {name} on {wanted} (not in the verdict source)", file=sys.stderr)
        store.add_to_watchlist([name], "audit")
        report = crawl_once([name], store, index_url=settings.index_url)
        if name in report.not_found or name in report.failed:
            return None
        if version is not None:
            jobs = [ProbeJob(name, version, wanted)]
        else:
            jobs = probe_candidates(store, [wanted], names=[name])
        for job in jobs:
            try:
                run_probe_job(job, store, settings)
            except FttrackError as exc:  # no interpreter or sandbox here: tags are still an answer
                print(f"fttrack: {name} not probed: {exc}", file=sys.stderr)
                break
        return store.project_document(name)

    return probe_missing
