"""``pdm.lock``: every ``[[package]]`` of the lock.

PDM writes one entry per (package, extras) combination, e.g. ``requests`` and
``requests`` with ``extras = ["socks"]``; they are reported once. Entries
that come from a path, a URL or version control are yielded as skipped.
"""

from __future__ import annotations

import re
from typing import Any

from tracker.audit.graph import LockGraph, explaining_graph
from tracker.audit.sources.interface import (
    optional_str,
    origin,
    pinned,
    read_project_name,
    require_table,
)
from tracker.audit.sources.tomllock import TomlLockfile
from tracker.errors import InputError
from tracker.models import Dependency
from tracker.names import is_valid_name, normalize_name

__all__ = ["PdmLockSource"]

_NAME = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*")

_SKIPPED = {
    "git": "git source",
    "hg": "hg source",
    "svn": "svn source",
    "bzr": "bzr source",
    "url": "direct URL",
    "path": "local path",
}


def _required_names(table: dict[str, Any]) -> list[str]:
    """The names of a pdm.lock entry's ``dependencies`` (requirement strings)."""
    names = []
    for requirement in table.get("dependencies", []):
        if isinstance(requirement, str):
            match = _NAME.match(requirement)
            if match and is_valid_name(match.group(0)):
                names.append(normalize_name(match.group(0)))
    return names


class PdmLockSource(TomlLockfile):
    """Dependencies locked in a ``pdm.lock`` file."""

    format_name = "pdm.lock"
    deduplicate = True

    def check(self, shown: str, document: dict[str, Any]) -> None:
        """A pdm.lock has ``[metadata]`` with ``lock_version``."""
        metadata = require_table(shown, document.get("metadata"), "metadata")
        if "lock_version" not in metadata:
            raise InputError(shown, "metadata: no 'lock_version': not a pdm.lock file")

    def lock_graph(self, shown: str, document: dict[str, Any]) -> LockGraph | None:
        """Why each package is there: the entries' ``dependencies`` (what is installed is
        decided by each entry's own ``marker``)."""
        packages = [p for p in document.get(self.package_key, []) if isinstance(p, dict)]
        return explaining_graph(
            (normalize_name(str(p.get("name"))), p.get("version"), _required_names(p))
            for p in packages
            if is_valid_name(str(p.get("name")))
        )

    def package(self, shown: str, table: dict[str, Any], key: str, line: int | None) -> Dependency:
        name = read_project_name(shown, table.get("name"), key=f"{key}.name", line=line)
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
