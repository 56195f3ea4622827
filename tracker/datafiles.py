"""Where the files of ``data/`` are: the source tree, or ``<prefix>/share/fttrack``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["data_file", "snapshot_path"]

_REPO_DATA = Path(__file__).resolve().parent.parent / "data"


def data_file(name: str) -> Path:
    """The path of ``data/NAME``: the repository's copy, else the installed one.

    Returns the repository path when neither exists (for error messages).
    """
    for directory in (_REPO_DATA, Path(sys.prefix) / "share" / "fttrack"):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return _REPO_DATA / name


def snapshot_path() -> Path:
    """The snapshot fttrack reads by default: ``$FTTRACK_SNAPSHOT``, else
    ``data/snapshot.json.gz``."""
    explicit = os.environ.get("FTTRACK_SNAPSHOT")
    if explicit:
        return Path(explicit).expanduser()
    return data_file("snapshot.json.gz")
