"""``uv.lock``: every ``[[package]]`` of the lock, with its resolution markers.

The project itself (``source = { virtual = "." }`` or ``editable = "."``) is
not a dependency and is left out; other local, git or URL sources are yielded
as skipped. A package locked in several versions (a forked resolution, e.g.
one numpy for Python < 3.12 and another above) carries its
``resolution-markers``, so the resolver keeps only the one for the target.
"""

from __future__ import annotations

from typing import Any

from tracker.audit.graph import LockEdge, LockGraph, LockNode
from tracker.audit.sources.interface import (
    optional_str,
    origin,
    pinned,
    read_project_name,
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


def _keep_url(files: list[str], line: str) -> None:
    """Add the last part of the ``url = "..."`` of one line of a wheel list or sdist (the
    file name, still percent-escaped: it is read only if the verdict data does not know
    the release; no host or credential is kept)."""
    start = line.find('url = "')
    if start >= 0:
        end = line.find('"', start + 7)
        if end > start:
            files.append(line[max(line.rfind("/", start, end) + 1, start + 7) : end])


class UvLockSource(TomlLockfile):
    """Dependencies locked in a ``uv.lock`` file."""

    format_name = "uv.lock"
    #: Package index -> file names read while blanking (see :meth:`prepare`).
    _blanked_files: dict[int, list[str]] = {}

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
        package = -1
        files: dict[int, list[str]] = {}
        for index, line in enumerate(lines):
            if inside:
                if line == "]":
                    inside = False
                elif line.startswith("    {") and line.endswith("},"):
                    lines[index] = ""
                    _keep_url(files.setdefault(package, []), line)
                else:  # not the shape uv writes: parse the text as it is
                    return text
            elif line == "wheels = [":
                inside = True
            elif line.startswith('sdist = { url = "') and line.endswith(" }"):
                lines[index] = ""
                _keep_url(files.setdefault(package, []), line)
            elif line == "[[package]]":
                package += 1
        self._blanked_files = files
        return "\n".join(lines)

    def check(self, shown: str, document: dict[str, Any]) -> None:
        """A uv.lock has a top-level ``version``."""
        if "version" not in document:
            raise InputError(shown, "missing key 'version': not a uv.lock file")

    def package(
        self, shown: str, table: dict[str, Any], key: str, line: int | None
    ) -> Dependency | None:
        name = read_project_name(shown, table.get("name"), key=f"{key}.name", line=line)
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
        return pinned(
            name, version, markers=markers, origin=where, files=self._files(shown, table, key)
        )

    def _files(self, shown: str, table: dict[str, Any], key: str) -> tuple[str, ...]:
        """The names of the package's locked files (sdist and wheels), as the lock lists them."""
        index = int(key[key.index("[") + 1 : -1])
        if index in self._blanked_files:
            return tuple(self._blanked_files[index])
        return self.file_names(table)

    def lock_graph(self, shown: str, document: dict[str, Any]) -> LockGraph | None:
        """The lock's edges, rooted at the project or at the workspace's members."""
        packages = document.get(self.package_key, [])
        nodes: list[LockNode] = []
        roots: list[int] = []
        manifest = document.get("manifest")
        members = manifest.get("members") if isinstance(manifest, dict) else None
        member_names = (
            {read_project_name(shown, m, key="manifest.members") for m in members}
            if isinstance(members, list)
            else set()
        )
        for index, table in enumerate(packages):
            key = f"{self.package_key}[{index}]"
            name = read_project_name(shown, table.get("name"), key=f"{key}.name")
            version = table.get("version") if isinstance(table.get("version"), str) else None
            source = table.get("source", {})
            local = isinstance(source, dict) and (
                source.get("virtual") == "." or source.get("editable") == "."
            )
            if (name in member_names and isinstance(source, dict)) or (not member_names and local):
                roots.append(index)
            nodes.append(
                LockNode(
                    name,
                    version,
                    edges=_edges(shown, table.get("dependencies", []), f"{key}.dependencies"),
                    extras=_edge_tables(shown, table, "optional-dependencies", key),
                    groups=_edge_tables(shown, table, "dev-dependencies", key),
                )
            )
        if not roots:
            return None
        return LockGraph(tuple(nodes), tuple(roots))


def _edges(shown: str, raw: object, key: str) -> tuple[LockEdge, ...]:
    """The edges of one ``dependencies`` array (tables of name, version, marker, extra)."""
    edges = []
    for index, item in enumerate(require_list(shown, raw, key)):
        where = f"{key}[{index}]"
        table = require_table(shown, item, where)
        extras = require_list(shown, table.get("extra", []), f"{where}.extra")
        edges.append(
            LockEdge(
                read_project_name(shown, table.get("name"), key=f"{where}.name"),
                version=optional_str(shown, table, "version", where),
                marker=optional_str(shown, table, "marker", where) or "",
                extras=tuple(str(e) for e in extras),
            )
        )
    return tuple(edges)


def _edge_tables(
    shown: str, table: dict[str, Any], field: str, key: str
) -> dict[str, tuple[LockEdge, ...]]:
    """``[package.optional-dependencies]`` or ``[package.dev-dependencies]``: name -> edges."""
    raw = require_table(shown, table.get(field, {}), f"{key}.{field}")
    return {str(n): _edges(shown, v, f"{key}.{field}.{n}") for n, v in raw.items()}
