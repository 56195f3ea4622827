"""``poetry.lock``, as written by Poetry 1.x (lock-version 1.x/2.0) and 2.x (2.1).

Packages from PyPI or a ``legacy`` (simple API) source are judged at their
locked version; ``git``, ``directory``, ``file`` and ``url`` sources are
yielded as skipped. Poetry 2.x records per-package ``markers`` (a string, or
a table of markers per dependency group); they are kept.

Poetry 1.x writes markers only on the edges (``pywin32 = {version = ">=300",
markers = "sys_platform == \"win32\""}``) and marks packages reached only
through extras ``optional = true``: its lock becomes a
:class:`~tracker.audit.graph.LockGraph`, rooted at the ``pyproject.toml``
beside it (its dependencies, extras and groups), else at the packages nothing
else requires. A Poetry 2.x lock's graph only explains why a package is there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tracker.audit.graph import SYNTHETIC_ROOT, LockEdge, LockGraph, LockNode
from tracker.audit.sources.interface import (
    STDIN,
    load_toml,
    optional_str,
    origin,
    pinned,
    read_project_name,
    read_text,
    require_table,
)
from tracker.audit.sources.tomllock import TomlLockfile
from tracker.audit.sources.uvlock import join_markers
from tracker.errors import InputError
from tracker.models import Dependency

__all__ = ["PoetryLockSource"]

_INDEX_SOURCES = {"legacy", "pypi", ""}
#: The project name and extras at the start of a requirement (``PySocks[x] (>=1.5)``).
_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")


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
        name = read_project_name(shown, table.get("name"), key=f"{key}.name", line=line)
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
        return pinned(name, version, markers=markers, origin=where, files=self.file_names(table))

    def lock_graph(self, shown: str, document: dict[str, Any]) -> LockGraph | None:
        """The lock's edges, rooted at the project's ``pyproject.toml`` when it lies beside
        the lock (else at what nothing else requires). Deciding what is installed only for
        a Poetry 1.x lock: a 2.x lock's own per-package markers do that."""
        packages = [p for p in document.get(self.package_key, []) if isinstance(p, dict)]
        nodes = [_node(shown, table) for table in packages]
        per_package_markers = any("markers" in p or "groups" in p for p in packages)
        root = _pyproject_root(self.path)
        note = ""
        if root is None:
            required = {e.name for n in nodes for e in n.edges}
            # every extra of a top package: nothing says which the project asks for
            tops = tuple(
                LockEdge(n.name, extras=tuple(n.extra_names))
                for n in nodes
                if n.name not in required
            )
            root = LockNode(SYNTHETIC_ROOT, None, edges=tops)
            note = "no pyproject.toml beside the lock: its roots are the packages nothing requires"
        return LockGraph(
            (*nodes, root),
            (len(nodes),),
            note="" if per_package_markers else note,
            decides=not per_package_markers,
        )


def _node(shown: str, table: dict[str, Any]) -> LockNode:
    """One package of the lock with its ``[package.dependencies]`` and ``[package.extras]``."""
    name = read_project_name(shown, table.get("name"), key="package.name")
    version = table.get("version") if isinstance(table.get("version"), str) else None
    edges: list[LockEdge] = []
    dependencies = table.get("dependencies", {})
    for raw_name, spec in (dependencies if isinstance(dependencies, dict) else {}).items():
        child = read_project_name(shown, raw_name, key=f"{name}.dependencies")
        for item in spec if isinstance(spec, list) else [spec]:
            if not isinstance(item, dict):
                edges.append(LockEdge(child))
                continue
            marker = item.get("markers", "")
            extras = item.get("extras", [])
            edges.append(
                LockEdge(
                    child,
                    marker=marker if isinstance(marker, str) else "",
                    extras=tuple(str(x) for x in extras) if isinstance(extras, list) else (),
                    optional=item.get("optional") is True,
                )
            )
    extra_names: dict[str, tuple[str, ...]] = {}
    extras = table.get("extras", {})
    for extra, requirements in (extras if isinstance(extras, dict) else {}).items():
        names = [_REQUIREMENT.match(r) for r in requirements if isinstance(r, str)]
        extra_names[str(extra)] = tuple(
            read_project_name(shown, m.group(1), key="extras") for m in names if m
        )
    return LockNode(name, version, edges=tuple(edges), extra_names=extra_names)


def _pyproject_root(lock_path: str) -> LockNode | None:
    """The project of the ``pyproject.toml`` beside the lock, as a root node: its main
    dependencies, extras and groups (Poetry's tables, else PEP 621's); None without one."""
    if lock_path == STDIN:
        return None
    path = Path(lock_path).parent / "pyproject.toml"
    if not path.is_file():
        return None
    shown = str(path)
    document = load_toml(shown, read_text(path))
    poetry = document.get("tool", {}).get("poetry", {})
    project = document.get("project", {})
    edges: list[LockEdge] = []
    optional: dict[str, LockEdge] = {}
    for raw, spec in poetry.get("dependencies", {}).items():
        if str(raw).lower() == "python":
            continue
        edge = _declared_edge(shown, str(raw), spec)
        if isinstance(spec, dict) and spec.get("optional") is True:
            optional[edge.name] = edge
        else:
            edges.append(edge)
    extras: dict[str, tuple[LockEdge, ...]] = {}
    for extra, names in poetry.get("extras", {}).items():
        wanted = [read_project_name(shown, n, key="tool.poetry.extras") for n in names]
        extras[str(extra)] = tuple(optional[n] for n in wanted if n in optional)
    groups: dict[str, tuple[LockEdge, ...]] = {}
    for group, table in poetry.get("group", {}).items():
        declared = table.get("dependencies", {}) if isinstance(table, dict) else {}
        groups[str(group)] = tuple(_declared_edge(shown, str(n), v) for n, v in declared.items())
    if poetry.get("dev-dependencies"):
        dev = poetry["dev-dependencies"].items()
        groups["dev"] = tuple(_declared_edge(shown, str(n), v) for n, v in dev)
    for requirement in project.get("dependencies", []):
        edges.extend(_pep508_edges(shown, requirement))
    for extra, requirements in project.get("optional-dependencies", {}).items():
        extras[str(extra)] = tuple(e for r in requirements for e in _pep508_edges(shown, r))
    name = poetry.get("name") or project.get("name") or SYNTHETIC_ROOT
    return LockNode(str(name), None, edges=tuple(edges), extras=extras, groups=groups)


def _declared_edge(shown: str, raw_name: str, spec: object) -> LockEdge:
    """A dependency as ``[tool.poetry.dependencies]`` declares it (markers and extras kept)."""
    name = read_project_name(shown, raw_name, key="tool.poetry.dependencies")
    if not isinstance(spec, dict):
        return LockEdge(name)
    marker = spec.get("markers", "")
    marker = marker if isinstance(marker, str) else ""
    python = _python_marker(spec.get("python"))
    if python:
        marker = f"({marker}) and {python}" if marker else python
    extras = spec.get("extras", [])
    return LockEdge(
        name,
        marker=marker,
        extras=tuple(str(x) for x in extras) if isinstance(extras, list) else (),
    )


def _python_marker(constraint: object) -> str:
    """A ``python = "<3.13"`` constraint as a marker (``python_version < '3.13'``); empty
    for none or a form this does not read (``^3.8``: then the dependency counts).

    >>> _python_marker(">=3.9,<3.13")
    "python_version >= '3.9' and python_version < '3.13'"
    """
    if not isinstance(constraint, str):
        return ""
    clauses = []
    for clause in constraint.split(","):
        match = re.fullmatch(r"\s*(<=|>=|<|>|==|!=)\s*([0-9]+(?:\.[0-9]+)*)\s*", clause)
        if match is None:
            return ""
        clauses.append(f"python_version {match.group(1)} '{match.group(2)}'")
    return " and ".join(clauses)


def _pep508_edges(shown: str, requirement: object) -> list[LockEdge]:
    """The edge of one PEP 508 requirement string (name, extras, marker)."""
    if not isinstance(requirement, str):
        return []
    match = _REQUIREMENT.match(requirement)
    if match is None:
        return []
    _, _, marker = requirement.partition(";")
    extras = tuple(x.strip() for x in (match.group(2) or "").split(",") if x.strip())
    name = read_project_name(shown, match.group(1), key="project.dependencies")
    return [LockEdge(name, marker=marker.strip(), extras=extras)]
