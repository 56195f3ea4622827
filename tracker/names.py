"""Project names: PEP 503 normalisation (packaging's) and PEP 508 validity.

:func:`canonicalize_name` is :func:`packaging.utils.canonicalize_name` without its
import: ``packaging.utils`` imports ``packaging.tags`` (logging, subprocess,
the ELF reader), which an audit never needs.

>>> normalize_name("Foo.Bar__baz")
'foo-bar-baz'
>>> is_valid_name("-bad-")
False
>>> canonicalize_name("oslo.concurrency__x")
'oslo-concurrency-x'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["canonicalize_name", "is_valid_name", "normalize_name", "split_requirements"]

_VALID = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


def canonicalize_name(name: str) -> str:
    """``re.sub(r"[-_.]+", "-", name).lower()`` (PEP 503), as packaging computes it."""
    value = name.lower().replace("_", "-").replace(".", "-")
    while "--" in value:
        value = value.replace("--", "-")
    return value


def normalize_name(name: str) -> str:
    """The PEP 503 normalised form of a project name (surrounding blanks removed)."""
    return canonicalize_name(name.strip())


def is_valid_name(name: str) -> bool:
    """Whether ``name`` is a valid project name (PEP 508)."""
    return bool(_VALID.match(name))


def split_requirements(requires_dist: Iterable[str]) -> tuple[set[str], set[str]]:
    """Normalised names of ``Requires-Dist`` lines: (those an install without extras
    pulls in, those declared only under an extra). Invalid lines are left out.

    >>> always, extra_only = split_requirements(
    ...     ["numpy>=1.26", "pytest; extra == 'test'", "Typing_Extensions", 'NumPy; extra == "x"'])
    >>> sorted(always), sorted(extra_only)
    (['numpy', 'typing-extensions'], ['pytest'])
    """
    from packaging.requirements import InvalidRequirement, Requirement

    always: set[str] = set()
    extra: set[str] = set()
    for text in requires_dist:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        under_extra = requirement.marker is not None and "extra" in str(requirement.marker)
        (extra if under_extra else always).add(normalize_name(requirement.name))
    return always, extra - always
