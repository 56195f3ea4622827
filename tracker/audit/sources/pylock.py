"""``pylock.toml`` (PEP 751), validated with ``packaging.pylock`` when available.

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


def _validate(shown: str, document: dict[str, Any]) -> None:
    """Validate against PEP 751 with packaging.pylock (packaging >= 25.1)."""
    try:
        from packaging.pylock import Pylock, PylockUnsupportedVersionError, PylockValidationError
    except ImportError:  # pragma: no cover - older packaging: the manual checks below apply
        return
    try:
        Pylock.from_dict(document)
    except PylockUnsupportedVersionError as exc:
        raise InputError(shown, f"lock-version: {exc}") from None
    except PylockValidationError as exc:
        raise InputError(shown, f"invalid pylock: {exc}") from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise InputError(shown, f"invalid pylock: {exc}") from None


class PylockSource(TomlLockfile):
    """Dependencies locked in a PEP 751 ``pylock.toml`` file."""

    format_name = "pylock.toml"
    package_key = "packages"

    def check(self, shown: str, document: dict[str, Any]) -> None:
        """A PEP 751 lock: ``lock-version`` 1.x, valid per ``packaging.pylock``."""
        lock_version = document.get("lock-version")
        if not isinstance(lock_version, str):
            raise InputError(shown, "missing key 'lock-version': not a pylock.toml file")
        if not lock_version.startswith("1."):
            raise InputError(shown, f"lock-version: unsupported version {lock_version!r}")
        _validate(shown, document)

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
        return pinned(name, version, markers=marker, origin=where)
