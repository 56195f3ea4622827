"""``poetry.lock``, as written by Poetry 1.x (lock-version 1.x/2.0) and 2.x (2.1).

Packages from PyPI or a ``legacy`` (simple API) source are judged at their
locked version; ``git``, ``directory``, ``file`` and ``url`` sources are
yielded as skipped. Poetry 2.x records per-package ``markers`` (a string, or
a table of markers per dependency group); they are kept.
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
from tracker.audit.sources.uvlock import join_markers
from tracker.errors import InputError
from tracker.models import Dependency

__all__ = ["PoetryLockSource"]

_INDEX_SOURCES = {"legacy", "pypi", ""}


class PoetryLockSource(TomlLockfile):
    """Dependencies locked in a ``poetry.lock`` file."""

    format_name = "poetry.lock"

    def check(self, shown: str, document: dict[str, Any]) -> None:
        """A poetry.lock has ``[metadata]`` with ``lock-version`` (or a ``content-hash``)."""
        metadata = require_table(shown, document.get("metadata"), "metadata")
        if "lock-version" not in metadata and "content-hash" not in metadata:
            raise InputError(shown, "metadata: no 'lock-version': not a poetry.lock file")

    @staticmethod
    def _markers(shown: str, table: dict[str, Any], key: str, line: int | None) -> str:
        raw = table.get("markers", "")
        if isinstance(raw, str):
            return raw
        if isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()):
            values = list(dict.fromkeys(raw.values()))
            return join_markers(values) if all(values) else ""
        raise InputError(shown, f"{key}.markers: expected a string or a table", line=line)

    def package(self, shown: str, table: dict[str, Any], key: str, line: int | None) -> Dependency:
        name = normalize_name(shown, table.get("name"), key=f"{key}.name", line=line)
        version = optional_str(shown, table, "version", key)
        if version is None:
            raise InputError(shown, f"{key}.version: missing", line=line)
        markers = self._markers(shown, table, key, line)
        where = origin(shown, line)
        source = require_table(shown, table.get("source", {}), f"{key}.source")
        kind = source.get("type", "")
        if not isinstance(kind, str):
            raise InputError(shown, f"{key}.source.type: expected a string", line=line)
        if kind not in _INDEX_SOURCES:
            location = source.get("url", "")
            reason = f"{kind} source: {location}" if location else f"{kind} source"
            return Dependency(
                name=name, version=version, markers=markers, origin=where, skipped_reason=reason
            )
        return pinned(name, version, markers=markers, origin=where)
