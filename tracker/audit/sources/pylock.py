"""``pylock.toml`` (PEP 751), as uv, pip, PDM and pipenv write it.

Packages from an index are judged at their locked version; VCS, directory
and archive packages are yielded as skipped. Each package's ``marker`` is
kept, so the resolver can drop packages that do not apply to the target.
"""

from __future__ import annotations

from typing import Any

from tracker.audit.graph import LockGraph, explaining_graph
from tracker.audit.sources.interface import (
    optional_str,
    origin,
    pinned,
    read_project_name,
)
from tracker.audit.sources.tomllock import TomlLockfile
from tracker.errors import InputError
from tracker.models import Dependency
from tracker.names import is_valid_name, normalize_name

__all__ = ["PylockSource"]

_SKIPPED = {"vcs": "VCS source", "directory": "local directory", "archive": "archive"}


class PylockSource(TomlLockfile):
    """Dependencies locked in a PEP 751 ``pylock.toml`` file."""

    format_name = "pylock.toml"
    package_key = "packages"

    def check(self, shown: str, document: dict[str, Any]) -> None:
        """A PEP 751 lock: ``lock-version`` 1.x.

        The fields read are checked one by one (names, versions, markers); the
        rest is not validated, so that real files are read as their tools wrote
        them: pipenv keeps names such as ``jaraco.classes`` unnormalized and
        writes VCS packages with neither a ``vcs`` table nor a version, which
        ``packaging.pylock`` rejects.
        """
        lock_version = document.get("lock-version")
        if not isinstance(lock_version, str):
            raise InputError(shown, "missing key 'lock-version': not a pylock.toml file")
        if not lock_version.startswith("1."):
            raise InputError(shown, f"lock-version: unsupported version {lock_version!r}")

    def lock_graph(self, shown: str, document: dict[str, Any]) -> LockGraph | None:
        """Why each package is there, where the lock lists ``dependencies`` (PEP 751's
        optional ``[{name = ...}]``); None when none does."""
        packages = [p for p in document.get(self.package_key, []) if isinstance(p, dict)]
        if not any(isinstance(p.get("dependencies"), list) for p in packages):
            return None
        return explaining_graph(
            (
                normalize_name(str(p.get("name"))),
                p.get("version"),
                [
                    normalize_name(str(d.get("name")))
                    for d in p.get("dependencies", [])
                    if isinstance(d, dict) and is_valid_name(str(d.get("name")))
                ],
            )
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
                detail = table[field]
                location = ""
                if isinstance(detail, dict):
                    location = str(detail.get("url") or detail.get("path") or "")
                return Dependency(
                    name=name,
                    version=version,
                    markers=marker,
                    origin=where,
                    skipped_reason=f"{reason}: {location}" if location else reason,
                )
        if version is None:
            return Dependency(
                name=name, markers=marker, origin=where, skipped_reason="no version locked"
            )
        return pinned(name, version, markers=marker, origin=where, files=self.file_names(table))
