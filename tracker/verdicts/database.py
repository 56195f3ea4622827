"""Verdicts from fttrack's own database (SQLite or PostgreSQL): the documents and
summaries the store keeps beside its history (:mod:`tracker.store.document_rows`)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from tracker.documents import TARGET_NAMES, ProjectDocument, ProjectSummary
from tracker.errors import SourceError, StoreError
from tracker.files import FileRefused, check_regular
from tracker.names import normalize_name
from tracker.store.damaged import DamagedRow, DamagedRowError
from tracker.store.engine import Store, normalize_db_url, open_store

__all__ = ["DatabaseSource"]


class DatabaseSource:
    """Project documents read from a database URL (or an open :class:`Store`).

    A SQLite file that does not exist is an error here: a verdict source
    never creates a database.
    """

    kind = "database"

    def __init__(self, url_or_store: str | Store) -> None:
        self._url = url_or_store if isinstance(url_or_store, str) else None
        self._store = url_or_store if isinstance(url_or_store, Store) else None
        #: Stored rows found damaged so far (skipped: their project reads as absent).
        self.damaged: list[DamagedRow] = []

    def _open(self) -> Store:
        if self._store is not None:
            return self._store
        assert self._url is not None
        try:
            parsed = make_url(normalize_db_url(self._url))
        except ArgumentError:
            raise SourceError(f"database {self._url!r}: not a database URL") from None
        database = parsed.database or ""
        if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:"):
            try:  # a FIFO or a device would hang or fail inside SQLite
                check_regular(Path(database).expanduser())
            except FileRefused as exc:
                raise SourceError(f"database {database}: {exc.reason}") from None
        try:
            self._store = open_store(self._url, seed=False)
        except StoreError as exc:
            raise SourceError(f"database: {exc}") from None
        return self._store

    @property
    def store(self) -> Store:
        """The open store (opened on first use)."""
        return self._open()

    def project(self, name: str) -> ProjectDocument | None:
        """The project document of ``name`` (any spelling), or None if not in the database
        (or its stored row is damaged: logged, kept in :attr:`damaged`)."""
        store = self._open()
        try:
            return store.project_document(normalize_name(name))
        except DamagedRowError as exc:
            self.damaged.append(exc.damaged)
            return None
        except SQLAlchemyError as exc:
            raise SourceError(f"database {store.url}: {str(exc).splitlines()[0]}") from None

    def summaries(self) -> list[ProjectSummary]:
        """Every stored summary that decodes (no history is read); damaged rows are
        logged, kept in :attr:`damaged` and skipped."""
        store = self._open()
        try:
            summaries, damaged = store.checked_summaries()
            self.damaged.extend(d for d in damaged if d not in self.damaged)
            return summaries
        except SQLAlchemyError as exc:
            raise SourceError(f"database {store.url}: {str(exc).splitlines()[0]}") from None

    def targets(self) -> tuple[str, ...]:
        """Every target fttrack judges."""
        return TARGET_NAMES

    def probed_targets(self) -> tuple[str, ...]:
        """Targets with at least one probe run in the database."""
        store = self._open()
        try:
            return store.probed_targets()
        except SQLAlchemyError as exc:
            raise SourceError(f"database {store.url}: {str(exc).splitlines()[0]}") from None

    def describe(self) -> str:
        """``database URL (N projects, last crawl DATE)``."""
        store = self._open()
        try:
            count, last = store.project_count(), store.last_crawl_iso()
        except SQLAlchemyError as exc:
            raise SourceError(f"database {store.url}: {str(exc).splitlines()[0]}") from None
        when = f", last crawl {last}" if last else ""
        return f"database {store.url} ({count} projects{when})"

    def close(self) -> None:
        """Close the database if this source opened it."""
        if self._store is not None and self._url is not None:
            self._store.close()
            self._store = None
