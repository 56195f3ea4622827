"""Project names: PEP 503 normalisation (packaging's) and PEP 508 validity.

>>> normalize_name("Foo.Bar__baz")
'foo-bar-baz'
>>> is_valid_name("-bad-")
False
"""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

__all__ = ["is_valid_name", "normalize_name"]

_VALID = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


def normalize_name(name: str) -> str:
    """The PEP 503 normalised form of a project name (surrounding blanks removed)."""
    return str(canonicalize_name(name.strip()))


def is_valid_name(name: str) -> bool:
    """Whether ``name`` is a valid project name (PEP 508)."""
    return bool(_VALID.match(name))
