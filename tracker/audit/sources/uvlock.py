"""``uv.lock``: every ``[[package]]`` of the lock, with its resolution markers.

The project itself (``source = { virtual = "." }`` or ``editable = "."``) is
not a dependency and is left out; other local, git or URL sources are yielded
as skipped. A package locked in several versions (a forked resolution, e.g.
one numpy for Python < 3.12 and another above) carries its
``resolution-markers``, so the resolver keeps only the one for the target.
"""

from __future__ import annotations

from typing import Any

from tracker.audit.sources.interface import (
    normalize_name,
    optional_str,
    origin,
    pinned,
    require_list,
    require_table,
)
from tracker.audit.sources.tomllock import TomlLockfile
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


class UvLockSource(TomlLockfile):
    """Dependencies locked in a ``uv.lock`` file."""

    format_name = "uv.lock"

    def prepare(self, text: str) -> str:
        r"""The lock with the entries of its ``wheels = [...]`` arrays and its one-line
        ``sdist = { url = ... }`` tables blanked: most of a uv.lock's bytes, never read by
        the audit. Each blanked line stays an empty line.

        >>> UvLockSource("uv.lock").prepare('wheels = [\n    { url = "w" },\n]\nx = 1\n')
        'wheels = [\n\n]\nx = 1\n'
        >>> UvLockSource("uv.lock").prepare('sdist = { url = "s" }\nwheels = [\n]\n')
        '\nwheels = [\n]\n'
        """
        if "\nwheels = [\n" not in text and not text.startswith("wheels = [\n"):
            return text
        lines = text.split("\n")
        inside = False
        for index, line in enumerate(lines):
            if inside:
                if line == "]":
                    inside = False
                elif line.startswith("    {") and line.endswith("},"):
                    lines[index] = ""
                else:  # not the shape uv writes: parse the text as it is
                    return text
            elif line == "wheels = [":
                inside = True
            elif line.startswith('sdist = { url = "') and line.endswith(" }"):
                lines[index] = ""
        return "\n".join(lines)

    def check(self, shown: str, document: dict[str, Any]) -> None:
        """A uv.lock has a top-level ``version``."""
        if "version" not in document:
            raise InputError(shown, "missing key 'version': not a uv.lock file")

    def package(
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
