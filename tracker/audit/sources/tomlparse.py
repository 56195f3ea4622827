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

from collections.abc import Callable
from typing import Any

__all__ = ["PARSERS", "default_parser", "loads"]

_Loads = Callable[[str], dict[str, Any]]


def _tomllib_loads(text: str) -> dict[str, Any]:
    """``tomllib.loads``, imported on first use (its import compiles a dozen regular
    expressions; with tomli installed an audit never needs it)."""
    import tomllib

    return tomllib.loads(text)


PARSERS: dict[str, _Loads] = {"tomllib": _tomllib_loads}
_ERRORS: tuple[type[ValueError], ...] = ()

try:
    import tomli
except ImportError:  # pragma: no cover - tomli is a dependency; tomllib stands in
    pass
else:
    PARSERS["tomli"] = tomli.loads
    _ERRORS = (tomli.TOMLDecodeError,)


def __getattr__(name: str) -> tuple[type[ValueError], ...]:
    """``TOMLDecodeError``: every parser's syntax error class, as a tuple for ``except``
    (read when an exception is being matched, so tomllib is imported only then)."""
    if name == "TOMLDecodeError":
        import tomllib

        return (tomllib.TOMLDecodeError, *_ERRORS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_parser() -> str:
    """The name of the parser used when none is asked for (``tomli`` when installed)."""
    return "tomli" if "tomli" in PARSERS else "tomllib"


def loads(text: str, *, parser: str | None = None) -> dict[str, Any]:
    """Parse TOML ``text`` with ``parser`` (the default one when None).

    Raises one of :data:`TOMLDecodeError` on bad syntax, RecursionError on
    nesting deeper than the interpreter allows.
    """
    return PARSERS[parser or default_parser()](text)
