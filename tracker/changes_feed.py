"""The changes feed's two forms: a JSON page and an Atom feed (RFC 4287).

Both the API (``/api/v1/changes``, ``/changes.atom``) and the static export
(``changes.json``, ``changes.atom``) write them from the same changes
(:func:`tracker.documents.changes_of`); nothing here reads a history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

import msgspec

from tracker.documents import Change
from tracker.vocabulary import CHANGE_RECORDS, STATUS_RECORDS

__all__ = [
    "CHANGES_FEED_SCHEMA",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "atom_feed",
    "change_title",
    "changes_page",
    "project_url",
]

#: Schema of the JSON page; bumped whenever its shape changes.
CHANGES_FEED_SCHEMA = 1
#: Changes per page unless ``limit`` asks otherwise, and the most one page holds.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

_encoder = msgspec.json.Encoder()


def project_url(base_url: str, name: str) -> str:
    """The project's page on the tracker (its document on the API).

    >>> project_url("https://ft.example.org/", "numpy")
    'https://ft.example.org/api/v1/projects/numpy'
    """
    return f"{base_url.rstrip('/')}/api/v1/projects/{quote(name)}"


def change_title(change: Change) -> str:
    """One line: ``numpy 2.5.0 on 3.13t: target-dropped (2.4.6 ready → no-ft-wheel)``.

    >>> from tracker.documents import Change
    >>> from tracker.vocabulary import ChangeKind, Status
    >>> change_title(Change("lxml", ChangeKind.REGRESSED, "3.14t", "6.1", "6.0",
    ...     status=Status.GIL_REENABLED, previous_status=Status.READY))
    'lxml 6.1 on 3.14t: regressed (6.0 ready → gil-reenabled)'
    """
    name = change.display_name or change.project
    before = change.previous_stress or change.previous_status.value
    after = change.stress or change.status.value
    return (
        f"{name} {change.version} on {change.target}: {change.kind.value} "
        f"({change.previous} {before} → {after})"
    )


def _summary(change: Change) -> str:
    parts = [CHANGE_RECORDS[change.kind].description + "."]
    parts.append(
        f"{change.previous}: {change.previous_status.value} "
        f"({STATUS_RECORDS[change.previous_status].description}; evidence "
        f"{change.previous_evidence.value}"
        + (f", probed {change.previous_probed}" if change.previous_probed else "")
        + ")."
    )
    parts.append(
        f"{change.version}: {change.status.value} "
        f"({STATUS_RECORDS[change.status].description}; evidence {change.evidence.value}"
        + (f", probed {change.probed}" if change.probed else "")
        + ")."
    )
    if change.culprits:
        parts.append("Culprits: " + ", ".join(c.module for c in change.culprits) + ".")
    return " ".join(parts)


def changes_page(
    changes: Sequence[Change],
    *,
    offset: int,
    limit: int,
    generated: str,
    next_url: str | None,
) -> bytes:
    """One page of ``changes`` (newest first) as JSON: ``schema``, ``generated``,
    ``total``, ``offset``, ``limit``, ``next`` (the next page's URL, or null) and
    ``changes``."""
    page = changes[offset : offset + limit]
    head: dict[str, Any] = {
        "schema": CHANGES_FEED_SCHEMA,
        "generated": generated,
        "total": len(changes),
        "offset": offset,
        "limit": limit,
        "next": next_url if offset + limit < len(changes) else None,
    }
    body = _encoder.encode(head)[:-1] + b',"changes":' + _encoder.encode(list(page)) + b"}"
    return body


def atom_feed(
    changes: Sequence[Change],
    *,
    base_url: str,
    self_url: str,
    updated: str,
    title: str = "fttrack: free-threading changes",
    page_url: Callable[[str], str] | None = None,
    json_url: str | None = None,
) -> bytes:
    """An Atom feed of ``changes`` (newest first): one entry per change, its link the
    project's page on the tracker at ``base_url`` (``page_url(name)`` instead where
    given, e.g. a static site's own pages; ``json_url``: the same changes as JSON)."""
    base = base_url.rstrip("/")
    page_url = page_url or (lambda name: project_url(base, name))
    json_url = json_url or f"{base}/api/v1/changes"
    newest = _atom_time((changes[0].date if changes else None) or updated)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(title)}</title>",
        f"  <id>{escape(self_url)}</id>",
        f'  <link rel="self" type="application/atom+xml" href="{escape(self_url)}"/>',
        f'  <link rel="alternate" type="application/json" href="{escape(json_url)}"/>',
        f"  <updated>{escape(newest)}</updated>",
        "  <author><name>fttrack</name></author>",
        "  <generator>fttrack</generator>",
    ]
    for change in changes:
        when = _atom_time(change.date or updated)
        link = page_url(change.project)
        lines += [
            "  <entry>",
            f"    <title>{escape(change_title(change))}</title>",
            f"    <id>urn:fttrack:change:{escape(quote(change.key))}</id>",
            f'    <link rel="alternate" href="{escape(link)}"/>',
            f"    <updated>{escape(when)}</updated>",
            f'    <category term="{escape(change.kind.value)}"/>',
            f'    <category term="{escape(change.target)}"/>',
            f"    <summary>{escape(_summary(change))}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode()


def _atom_time(text: str) -> str:
    """An RFC 3339 time (Atom's): a date gets midnight UTC, a time without a zone gets Z."""
    if len(text) == 10:
        return text + "T00:00:00Z"
    if text.endswith("Z") or "+" in text[10:] or "-" in text[10:]:
        return text
    return text + "Z"
