"""Seed an empty database from a snapshot (the shipped one by default).

A missing snapshot means an empty start, not an error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.archive import Archive
from tracker.datafiles import snapshot_path

if TYPE_CHECKING:
    from tracker.store.engine import Store
    from tracker.store.importer import ImportResult

__all__ = ["seed_store"]

log = logging.getLogger(__name__)


def seed_store(
    store: Store, path: Path | None = None, *, progress: Callable[[int, int], None] | None = None
) -> ImportResult | None:
    """Import the snapshot into ``store`` in one transaction; None when there is no
    snapshot file. ``progress(done, total)`` follows the import project by project."""
    source = path or snapshot_path()
    if not source.is_file():
        log.info("no snapshot at %s: starting with an empty database", source)
        return None
    archive = Archive(source)
    total = len(archive.names())
    log.info("seeding %d projects from the snapshot %s…", total, source.name)
    started = time.monotonic()
    result = store.import_feed(
        archive.documents(),
        generated=archive.generated,
        source=str(source),
        progress=None if progress is None else (lambda done: progress(done, total)),
    )
    log.info(
        "seeded %d projects (%d releases, %d probes) in %.1f s",
        result.projects,
        result.releases,
        result.probe_runs,
        time.monotonic() - started,
    )
    return result
