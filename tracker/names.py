"""Project names (PEP 503 normalisation), without importing packaging's tag machinery.

>>> normalize_name("Foo.Bar__baz")
'foo-bar-baz'
>>> is_valid_name("-bad-")
False
"""

from __future__ import annotations

import re

__all__ = ["is_valid_name", "normalize_name"]

_SEPARATORS = re.compile(r"[-_.]+")
_VALID = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


def normalize_name(name: str) -> str:
    """The PEP 503 normalised form of a project name."""
    return _SEPARATORS.sub("-", name).lower()


def is_valid_name(name: str) -> bool:
    """Whether ``name`` is a valid project name (PEP 508)."""
    return bool(_VALID.match(name))
