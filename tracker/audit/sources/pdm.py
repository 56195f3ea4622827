"""``pdm.lock``: every ``[[package]]`` of the lock.

PDM writes one entry per (package, extras) combination, e.g. ``requests`` and
``requests`` with ``extras = ["socks"]``; they are reported once. Entries
that come from a path, a URL or version control are yielded as skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker.audit.sources.interface import (
    TomlLines,
    display_path,
    load_toml,
    normalize_name,
    optional_str,
    origin,
    pinned,
    read_text,
    require_list,
    require_table,
)
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


class PdmLockSource:
    """Dependencies locked in a ``pdm.lock`` file."""

    format_name = "pdm.lock"

    def __init__(self, path: str, *, text: str | None = None) -> None:
        self.path = path
        self._text = text

    def __iter__(self) -> Iterator[Dependency]:
        shown = display_path(self.path)
        text = self._text if self._text is not None else read_text(self.path)
        document = load_toml(shown, text)
        metadata = require_table(shown, document.get("metadata"), "metadata")
        if "lock_version" not in metadata:
            raise InputError(shown, "metadata: no 'lock_version': not a pdm.lock file")
        lines = TomlLines(text)
        packages = require_list(shown, document.get("package", []), "package")
        seen: set[tuple[str, str | None, str]] = set()
        for index, raw in enumerate(packages):
            key = f"package[{index}]"
            line = lines.element_line("package", index)
            dep = self._package(shown, require_table(shown, raw, key), key, line)
            identity = (dep.name, dep.version, dep.markers)
            if identity not in seen:
                seen.add(identity)
                yield dep

    @staticmethod
    def _package(shown: str, table: dict[str, Any], key: str, line: int | None) -> Dependency:
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
        return pinned(name, version, markers=marker, origin=where)
