"""Release ordering shared by the documents, the store and the verdict sources.

A leaf module (only :mod:`packaging.version`, imported on first use: an audit
whose pins are all tracked as written parses no version), so the auditor and
the TUI can use it without the ORM.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.version import InvalidVersion, Version

__all__ = ["is_prerelease", "parse_version", "version_key"]


@functools.cache
def _version_types() -> tuple[type[Version], type[InvalidVersion]]:
    from packaging.version import InvalidVersion, Version

    return Version, InvalidVersion


def parse_version(text: str) -> Version | None:
    """``text`` as a PEP 440 version, or None when it is not one."""
    version, invalid = _version_types()
    try:
        return version(text)
    except invalid:
        return None


def version_key(version: str) -> tuple[int, Version | str]:
    """Sort key for versions: PEP 440 order, unparsable versions first (oldest).

    >>> sorted(["1.10", "1.9", "junk"], key=version_key)
    ['junk', '1.9', '1.10']
    """
    parsed = parse_version(version)
    return (1, parsed) if parsed is not None else (0, version)


def is_prerelease(version: str) -> bool:
    """Whether ``version`` is a pre-release (an unparsable version is not)."""
    parsed = parse_version(version)
    return parsed is not None and parsed.is_prerelease
