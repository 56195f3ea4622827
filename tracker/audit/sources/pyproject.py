"""``pyproject.toml``: ``[project]`` dependencies and optional-dependencies, and
``[dependency-groups]`` (PEP 735).

These are declared requirements, not a lock: a loose requirement such as
``numpy>=2`` is judged at the newest version its specifier allows.
``{include-group = "..."}`` entries are followed by the groups they name
(every group is read anyway), so they add nothing of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker.audit.sources.interface import (
    TomlLines,
    display_path,
    load_toml,
    origin,
    read_text,
    require_list,
    require_table,
)
from tracker.audit.sources.redact import redacted
from tracker.audit.sources.requirements import parse_requirement
from tracker.errors import InputError
from tracker.models import Dependency

__all__ = ["PyprojectSource"]


class PyprojectSource:
    """Dependencies declared in a ``pyproject.toml``."""

    format_name = "pyproject.toml"

    def __init__(self, path: str, *, text: str | None = None) -> None:
        self.path = path
        self._text = text

    def __iter__(self) -> Iterator[Dependency]:
        return redacted(self._dependencies())

    def _dependencies(self) -> Iterator[Dependency]:
        shown = display_path(self.path)
        text = self._text if self._text is not None else read_text(self.path)
        document = load_toml(shown, text)
        lines = TomlLines(text)
        project = require_table(shown, document.get("project", {}), "project")
        groups = require_table(shown, document.get("dependency-groups", {}), "dependency-groups")
        if "project" not in document and "dependency-groups" not in document:
            raise InputError(shown, "no [project] or [dependency-groups] table")
        lists: list[tuple[str, Any]] = [("project.dependencies", project.get("dependencies", []))]
        optional = require_table(
            shown, project.get("optional-dependencies", {}), "project.optional-dependencies"
        )
        lists += [(f"project.optional-dependencies.{k}", v) for k, v in optional.items()]
        lists += [(f"dependency-groups.{k}", v) for k, v in groups.items()]
        seen: set[tuple[str, str]] = set()
        for key, raw in lists:
            for index, item in enumerate(require_list(shown, raw, key)):
                if isinstance(item, dict) and set(item) == {"include-group"}:
                    continue
                if not isinstance(item, str):
                    raise InputError(shown, f"{key}[{index}]: expected a requirement string")
                line = lines.find(f'"{item}"') or lines.find(f"'{item}'")
                dep = parse_requirement(shown, line, item.strip(), origin(shown, line))
                if (dep.name, dep.specifier + dep.markers) not in seen:
                    seen.add((dep.name, dep.specifier + dep.markers))
                    yield dep
