"""``pdm.lock``: every ``[[package]]`` of the lock.

PDM writes one entry per (package, extras) combination, e.g. ``requests`` and
``requests`` with ``extras = ["socks"]``; they are reported once. Entries
that come from a path, a URL or version control are yielded as skipped.
"""

from __future__ import annotations

from typing import Any

from tracker.audit.sources.interface import (
    normalize_name,
    optional_str,
    origin,
    pinned,
    require_table,
)
from tracker.audit.sources.tomllock import TomlLockfile
from tracker.errors import InputError
from tracker.models import Dependency

__all__ = ["PdmLockSource"]

_SKIPPED = {
    "git": "git source",
    "hg": "hg source",
    "svn": "svn source",
    "bzr": "bzr source",
    "url": "direct URL",
    "path": "local path",
}


class PdmLockSource(TomlLockfile):
    """Dependencies locked in a ``pdm.lock`` file."""

    format_name = "pdm.lock"
    deduplicate = True

    def check(self, shown: str, document: dict[str, Any]) -> None:
        """A pdm.lock has ``[metadata]`` with ``lock_version``."""
        metadata = require_table(shown, document.get("metadata"), "metadata")
        if "lock_version" not in metadata:
            raise InputError(shown, "metadata: no 'lock_version': not a pdm.lock file")

    def package(self, shown: str, table: dict[str, Any], key: str, line: int | None) -> Dependency:
        name = normalize_name(shown, table.get("name"), key=f"{key}.name", line=line)
        version = optional_str(shown, table, "version", key)
        marker = optional_str(shown, table, "marker", key) or ""
        where = origin(shown, line)
        for field, reason in _SKIPPED.items():
            if field in table:
                editable = " (editable)" if table.get("editable") else ""
                return Dependency(
                    name=name,
                    version=version,
                    markers=marker,
                    origin=where,
                    skipped_reason=f"{reason}{editable}: {table[field]}",
                )
        if version is None:
            raise InputError(shown, f"{key}.version: missing", line=line)
        return pinned(name, version, markers=marker, origin=where, files=self.file_names(table))
