"""``pylock.toml`` (PEP 751), as uv, pip, PDM and pipenv write it.

Packages from an index are judged at their locked version; VCS, directory
and archive packages are yielded as skipped. Each package's ``marker`` is
kept, so the resolver can drop packages that do not apply to the target.
"""

from __future__ import annotations

from typing import Any

from tracker.audit.sources.interface import (
    normalize_name,
    optional_str,
    origin,
    pinned,
)
from tracker.audit.sources.tomllock import TomlLockfile
from tracker.errors import InputError
from tracker.models import Dependency

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

    def package(self, shown: str, table: dict[str, Any], key: str, line: int | None) -> Dependency:
        name = normalize_name(shown, table.get("name"), key=f"{key}.name", line=line)
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
