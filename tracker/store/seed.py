"""Seed a brand-new database from the shipped snapshot (a gzip feed document).

The snapshot is found by :func:`snapshot_path`: the verdict snapshot module's
``default_snapshot_path()`` when that module exists, else ``FTTRACK_SNAPSHOT``,
else ``data/snapshot.json.gz`` beside the ``tracker`` package. A missing file
means an empty start, not an error.
"""

from __future__ import annotations

import gzip
import importlib
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.errors import InputError

if TYPE_CHECKING:
    from tracker.store.engine import Store
    from tracker.store.importer import ImportResult

__all__ = ["load_feed_file", "seed_store", "snapshot_path"]

log = logging.getLogger(__name__)


def snapshot_path() -> Path:
    """Where the shipped snapshot lives (see the module docstring)."""
    try:
        module = importlib.import_module("tracker.verdicts.snapshot")
    except ImportError:
        module = None
    finder = getattr(module, "default_snapshot_path", None)
    if callable(finder):
        return Path(finder())
    explicit = os.environ.get("FTTRACK_SNAPSHOT")
    if explicit:
        return Path(explicit).expanduser()
    return Path(__file__).resolve().parents[2] / "data" / "snapshot.json.gz"


def load_feed_file(path: Path) -> dict[str, Any]:
    """Read a feed document from JSON, gzip-compressed or not."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        document = json.loads(raw)
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read the feed: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"not JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(document, dict):
        raise InputError(str(path), "a feed document must be a JSON object")
    return document


def seed_store(store: Store, path: Path | None = None) -> ImportResult | None:
    """Import the snapshot into ``store``; None when there is no snapshot file."""
    source = path or snapshot_path()
    if not source.is_file():
        log.info("no snapshot at %s: starting with an empty database", source)
        return None
    return store.import_feed(load_feed_file(source), source=str(source))
