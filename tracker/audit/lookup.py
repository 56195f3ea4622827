"""File lists of pins the verdict data does not know, fetched from the package index.

A release newer than the data (``lxml==6.2.1`` after the snapshot was made)
must not pass as "unknown, nothing blocks". :func:`index_files` asks the index
for just those projects' pages, concurrently and within one deadline for all,
with the crawler's own client (:class:`~tracker.index.pypi.PypiIndex`), and
returns each pin's file names: the resolver then judges them by their tags and
by inference from the nearest probed release (:mod:`tracker.audit.filetags`).
A pin whose page cannot be had in time is left out: it stays ``unknown``.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["DEADLINE_SECONDS", "OFFLINE_VARIABLE", "index_files"]

#: The longest the audit waits for the index, for all its lookups together.
DEADLINE_SECONDS = 5.0
#: Set to 1 (or ``--offline``): the audit never asks the index.
OFFLINE_VARIABLE = "FTTRACK_OFFLINE"


def index_files(
    pins: Sequence[tuple[str, str]], *, index_url: str, deadline: float = DEADLINE_SECONDS
) -> dict[tuple[str, str], tuple[str, ...]]:
    """``(name, version)`` -> the names of that release's files on the index, for each
    pin whose project page arrived within ``deadline`` seconds and lists the version."""
    if not pins:
        return {}
    import asyncio

    from tracker.index.http import RetryPolicy
    from tracker.index.interface import ProjectPage
    from tracker.index.pypi import PypiIndex, fetch_many
    from tracker.names import normalize_name
    from tracker.releases import parse_version

    async def fetch() -> dict[str, object]:
        retry = RetryPolicy(attempts=2, backoff=0.2, max_backoff=1.0, max_retry_after=1.0)
        async with PypiIndex(index_url, concurrency=8, timeout=deadline, retry=retry) as index:
            pages = fetch_many(index, [name for name, _ in pins])
            return dict(await asyncio.wait_for(pages, deadline))

    try:
        pages = asyncio.run(fetch())
    except (TimeoutError, OSError):
        return {}
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for name, version in pins:
        page = pages.get(normalize_name(name))
        if not isinstance(page, ProjectPage):
            continue
        wanted = parse_version(version)
        for listed, files in page.files_by_version().items():
            if files and (listed == version or (wanted and parse_version(listed) == wanted)):
                found[(name, version)] = tuple(f.filename for f in files)
                break
    return found
