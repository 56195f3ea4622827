"""Rows and databases that cannot be read: found, named and skipped, never fatal to the rest.

A stored summary or document that does not decode (a row written by hand,
a bug, a disk that flipped a byte) is one :class:`DamagedRow`: readers of
every project skip it and name it (``fttrack status``, the log, ``fttrack
export``), and a reader of that one project gets a :class:`DamagedRowError`
(the API answers 503 with its message). The row is healed by the next write
to its project, which rebuilds it from the history.

A database whose pages are damaged (SQLite: "database disk image is
malformed", PostgreSQL: ``XX001``/``XX002``) is recognised by
:func:`damaged_database_words`, so that every command says so in one line
and the API answers 503.

>>> split_decodable({"a": b'{"name": 1}'}, lambda data: data)[1]
[]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from tracker.documents import DocumentError
from tracker.errors import StoreError

__all__ = [
    "DamagedRow",
    "DamagedRowError",
    "damaged_database_words",
    "split_decodable",
]

log = logging.getLogger("fttrack.store")
_T = TypeVar("_T")

#: What SQLite says about a file whose pages are not a database's (or not this one's).
_SQLITE_DAMAGE = ("malformed", "not a database", "file is encrypted", "disk i/o error")
#: PostgreSQL's SQLSTATEs for data and index corruption.
_PG_DAMAGE = ("XX001", "XX002")


@dataclass(frozen=True)
class DamagedRow:
    """A stored row of ``project`` whose ``column`` (``summary`` or ``document``) does not
    decode, and why (the decoder's first line)."""

    project: str
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.project} ({self.column}: {self.reason})"


class DamagedRowError(StoreError):
    """A project's stored row cannot be decoded: that project cannot be answered now."""

    def __init__(self, damaged: DamagedRow) -> None:
        self.damaged = damaged
        super().__init__(
            f"the stored {damaged.column} of {damaged.project} cannot be read "
            f"({damaged.reason}); it is rebuilt at the next write to the project"
        )


def _reason(exc: DocumentError) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else "cannot be decoded"
    _, _, detail = text.partition(": ")  # the "what" prefix names the row already
    return (detail or text)[:200]


def check_row(
    project: str, column: str, data: bytes, decode: Callable[[bytes], _T]
) -> tuple[_T | None, DamagedRow | None]:
    """``decode(data)``, or the :class:`DamagedRow` naming why it failed (logged once here)."""
    try:
        return decode(data), None
    except DocumentError as exc:
        damaged = DamagedRow(project, column, _reason(exc))
        log.warning("skipped a damaged row: %s", damaged)
        return None, damaged


def split_decodable(
    rows: Mapping[str, bytes], decode: Callable[[bytes], _T], *, column: str = "summary"
) -> tuple[list[_T], list[DamagedRow]]:
    """Decode every row (by name); the ones that fail are returned as damaged, not raised."""
    decoded: list[_T] = []
    damaged: list[DamagedRow] = []
    for name in sorted(rows):
        value, problem = check_row(name, column, rows[name], decode)
        if problem is not None:
            damaged.append(problem)
        elif value is not None:
            decoded.append(value)
    return decoded, damaged


def damaged_database_words(exc: BaseException) -> str | None:
    """The database's own words when ``exc`` says its file or pages are damaged, else None.

    >>> import sqlite3
    >>> damaged_database_words(sqlite3.DatabaseError("database disk image is malformed"))
    'database disk image is malformed'
    >>> damaged_database_words(ValueError("malformed")) is None
    True
    """
    seen: BaseException | None = exc
    for _ in range(4):  # SQLAlchemy's error, the driver's error below it
        if seen is None:
            return None
        module = type(seen).__module__
        text = str(seen).strip().splitlines()[0] if str(seen).strip() else ""
        if module.startswith(("sqlite3", "_sqlite3")) and any(
            words in text.lower() for words in _SQLITE_DAMAGE
        ):
            return text
        if module.startswith("psycopg") and getattr(seen, "sqlstate", None) in _PG_DAMAGE:
            return text
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return None
