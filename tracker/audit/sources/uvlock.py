"""``uv.lock``: every ``[[package]]`` of the lock, with its resolution markers.

The project itself (``source = { virtual = "." }`` or ``editable = "."``) is
not a dependency and is left out; other local, git or URL sources are yielded
as skipped. A package locked in several versions (a forked resolution, e.g.
one numpy for Python < 3.12 and another above) carries its
``resolution-markers``, so the resolver keeps only the one for the target.
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

__all__ = ["UvLockSource", "join_markers"]

_SKIPPED_SOURCES = {
    "git": "git source",
    "url": "direct URL",
    "path": "local path",
    "directory": "local directory",
    "editable": "local editable project",
    "virtual": "local virtual project",
}


def join_markers(markers: list[str]) -> str:
    """Join alternative markers into one (``(a) or (b)``)."""
    parts = [m for m in markers if m]
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return " or ".join(f"({m})" for m in parts)


class UvLockSource:
    """Dependencies locked in a ``uv.lock`` file."""

    format_name = "uv.lock"

    def __init__(self, path: str, *, text: str | None = None) -> None:
        self.path = path
        self._text = text

    def __iter__(self) -> Iterator[Dependency]:
        shown = display_path(self.path)
        text = self._text if self._text is not None else read_text(self.path)
        document = load_toml(shown, text)
        if "version" not in document:
            raise InputError(shown, "missing key 'version': not a uv.lock file")
        lines = TomlLines(text)
        packages = require_list(shown, document.get("package", []), "package")
        for index, raw in enumerate(packages):
            key = f"package[{index}]"
            line = lines.element_line("package", index)
            table = require_table(shown, raw, key)
            dep = self._package(shown, table, key, line)
            if dep is not None:
                yield dep

    def _package(
        self, shown: str, table: dict[str, Any], key: str, line: int | None
    ) -> Dependency | None:
        name = normalize_name(shown, table.get("name"), key=f"{key}.name", line=line)
        version = optional_str(shown, table, "version", key)
        where = origin(shown, line)
        source = require_table(shown, table.get("source", {}), f"{key}.source")
        markers_raw = require_list(
            shown, table.get("resolution-markers", []), f"{key}.resolution-markers"
        )
        if not all(isinstance(m, str) for m in markers_raw):
            raise InputError(shown, f"{key}.resolution-markers: expected strings", line=line)
        markers = join_markers(markers_raw)
        for kind, reason in _SKIPPED_SOURCES.items():
            if kind in source:
                if kind in ("virtual", "editable") and source[kind] == ".":
                    return None  # the project itself
                return Dependency(
                    name=name,
                    version=version,
                    markers=markers,
                    origin=where,
                    skipped_reason=f"{reason}: {source[kind]}",
                )
        if version is None:
            raise InputError(shown, f"{key}.version: missing", line=line)
        return pinned(name, version, markers=markers, origin=where)
