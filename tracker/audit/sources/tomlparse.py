"""The TOML parser of the lockfile sources: compiled ``tomli`` when installed, else ``tomllib``.

``tomli`` is the project ``tomllib`` was copied from; its wheels are compiled
with mypyc (also for free-threaded CPython, ``cp314t``) and parse a 1 MB
``uv.lock`` about three times as fast, with the same results and the same
errors. Faster parsers were measured (``bench/audit_bench.py``) and left out:
``rtoml`` has no free-threaded wheels, and ``toml-rs`` crashes the interpreter
(stack overflow) on deeply nested input instead of raising.

>>> loads('a = [1, {b = "c"}]', parser="tomllib")
{'a': [1, {'b': 'c'}]}
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import Any

__all__ = ["PARSERS", "TOMLDecodeError", "default_parser", "loads"]

#: Every parser an error of which is a TOML syntax error.
TOMLDecodeError: tuple[type[ValueError], ...] = (tomllib.TOMLDecodeError,)

_Loads = Callable[[str], dict[str, Any]]
PARSERS: dict[str, _Loads] = {"tomllib": tomllib.loads}

try:
    import tomli
except ImportError:  # pragma: no cover - tomli is a dependency; tomllib stands in
    pass
else:
    PARSERS["tomli"] = tomli.loads
    TOMLDecodeError = (*TOMLDecodeError, tomli.TOMLDecodeError)


def default_parser() -> str:
    """The name of the parser used when none is asked for (``tomli`` when installed)."""
    return "tomli" if "tomli" in PARSERS else "tomllib"


def loads(text: str, *, parser: str | None = None) -> dict[str, Any]:
    """Parse TOML ``text`` with ``parser`` (the default one when None).

    Raises one of :data:`TOMLDecodeError` on bad syntax, RecursionError on
    nesting deeper than the interpreter allows.
    """
    return PARSERS[parser or default_parser()](text)
