"""The store: fttrack's database (SQLite or PostgreSQL) behind SQLModel.

Open it with :func:`open_store`; write with the :class:`Store` methods (one
transaction each) or with the functions of :mod:`tracker.store.queries`
inside :meth:`Store.session_scope`.
"""

from __future__ import annotations

from tracker.store.engine import Store, normalize_db_url, open_store
from tracker.store.importer import ImportResult, import_feed
from tracker.store.queries import PageFile, UpsertResult

__all__ = [
    "ImportResult",
    "PageFile",
    "Store",
    "UpsertResult",
    "import_feed",
    "normalize_db_url",
    "open_store",
]
