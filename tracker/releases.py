"""Release ordering shared by the documents, the store and the verdict sources.

A leaf module (only :mod:`packaging.version`), so the auditor and the TUI can
use it without the ORM.
"""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

__all__ = ["is_prerelease", "version_key"]


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
