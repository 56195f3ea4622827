"""The package index client: project pages, files and core metadata.

:class:`Index` is the interface; :class:`PypiIndex` implements it over the
simple API (PEP 691 JSON, PEP 503 HTML fallback, PEP 658 metadata, HTTP range
requests into wheels). The index URL comes from
:func:`tracker.config.resolve_index_url` unless given explicitly.
"""

from tracker.index.http import USER_AGENT, RetryPolicy
from tracker.index.interface import (
    CoreMetadata,
    FetchResult,
    Index,
    IndexFile,
    KnownState,
    ProjectPage,
    Unchanged,
)
from tracker.index.pypi import PypiIndex, SyncPypiIndex, fetch_many

__all__ = [
    "USER_AGENT",
    "CoreMetadata",
    "FetchResult",
    "Index",
    "IndexFile",
    "KnownState",
    "ProjectPage",
    "PypiIndex",
    "RetryPolicy",
    "SyncPypiIndex",
    "Unchanged",
    "fetch_many",
]
