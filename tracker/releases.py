"""Release ordering shared by the feed, the store and the verdict sources.

A leaf module (only :mod:`packaging.version`), so the auditor and the TUI can
use it without the ORM.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packaging.version import InvalidVersion, Version

__all__ = ["current_release", "is_prerelease", "version_key"]


def version_key(version: str) -> tuple[int, Version | str]:
    """Sort key for versions: PEP 440 order, unparsable versions first (oldest).

    >>> sorted(["1.10", "1.9", "junk"], key=version_key)
    ['junk', '1.9', '1.10']
    """
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def is_prerelease(version: str) -> bool:
    """Whether ``version`` is a pre-release (an unparsable version is not)."""
    try:
        return Version(version).is_prerelease
    except InvalidVersion:
        return False


def current_release(document: Mapping[str, Any]) -> dict[str, Any] | None:
    """The release a list or badge speaks of: the newest non-yanked final release,
    else the newest non-yanked one, else the newest (None without releases).

    >>> current_release({"releases": [{"version": "2.0rc1"}, {"version": "1.9"}]})["version"]
    '1.9'
    """
    releases = [r for r in document.get("releases") or [] if isinstance(r, dict)]
    live = [r for r in releases if not r.get("yanked")]
    finals = [r for r in live if not is_prerelease(str(r.get("version", "")))]
    for group in (finals, live, releases):
        if group:
            return max(group, key=lambda r: version_key(str(r.get("version", ""))))
    return None
