"""Project names: the normalisation is packaging's, without importing packaging.utils."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name as packaging_canonicalize

from tracker.names import canonicalize_name, normalize_name

NAMES = [
    "Django",
    "oslo.concurrency",
    "zope.interface",
    "Foo.Bar__baz",
    "a-_.-b",
    "typing_extensions",
    "x---y",
    "ALLCAPS",
    "",
    "-",
    "._",
]


@pytest.mark.parametrize("name", NAMES)
def test_canonicalize_name_is_packagings(name: str) -> None:
    assert canonicalize_name(name) == packaging_canonicalize(name)


def test_normalize_name_strips_blanks() -> None:
    assert normalize_name("  Foo.Bar ") == "foo-bar"
