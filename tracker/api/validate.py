"""Checks of what a client puts in a path or a body: project names and versions.

A name that is not a PEP 508 project name, or a version that is not a PEP 440
version, cannot be tracked: the routes answer 404 (path) or 422 (body)
without asking the database (PostgreSQL refuses a NUL byte in a query,
Python refuses to turn more than 4,300 digits into an int).

>>> is_project_name("Foo.Bar_baz"), is_project_name("num\\x00py"), is_project_name("-x-")
(True, False, False)
>>> is_version("2.5.5"), is_version("1." + "9" * 4301), is_version("latest")
(True, False, False)
>>> shorten("a" * 100).endswith("...'"), len(shorten("a" * 100)) <= 64, shorten("six")
(True, True, "'six'")
"""

from __future__ import annotations

from packaging.version import Version

from tracker.names import is_valid_name

__all__ = [
    "MAX_NAME",
    "MAX_VERSION",
    "VERSION_PATTERN",
    "is_project_name",
    "is_version",
    "shorten",
]

#: Longer names are refused before any look-up (the longest real one is far shorter).
MAX_NAME = 200
#: Longer versions are refused before parsing.
MAX_VERSION = 200

#: PEP 440 versions in lower case, for JSON schemas (packaging's own pattern is verbose
#: and case-insensitive, which JSON Schema regexes cannot say). Every string it matches
#: is a valid version; ``V2.0RC1`` is not matched (a 422 in a request body).
VERSION_PATTERN = (
    r"^v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*"
    r"(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?"
    r"(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?"
    r"(?:[-_.]?dev[-_.]?[0-9]*)?"
    r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$"
)


def is_project_name(name: str) -> bool:
    """True for a PEP 508 project name (letters, digits, ``.``, ``_``, ``-``) of sane length."""
    text = name.strip()
    return 0 < len(text) <= MAX_NAME and is_valid_name(text)


def is_version(version: str) -> bool:
    """True for a PEP 440 version of sane length (every stored version is one)."""
    if not 0 < len(version) <= MAX_VERSION:
        return False
    try:
        Version(version)
    except ValueError:  # InvalidVersion, or a number too long to be an int
        return False
    return True


def shorten(text: str, limit: int = 64) -> str:
    """``repr(text)``, cut to about ``limit`` characters: safe to echo in a message or a log."""
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 5] + "...'"
