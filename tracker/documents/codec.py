"""Project documents and summaries to and from JSON: the only place they are decoded.

A malformed document is a :class:`~tracker.documents.shapes.DocumentError`
naming what was wrong, never a traceback. A trusted document (a snapshot
fttrack wrote) can be decoded lazily: its releases stay raw JSON until read
(:class:`LazyReleases`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

import msgspec

from tracker.documents.shapes import (
    DOCUMENT_SCHEMA,
    ClaimCheck,
    DocumentError,
    FeedDocument,
    ProjectDocument,
    ProjectSummary,
    ReleaseDocument,
    SummaryFeed,
    _Struct,
    newest_first,
)

__all__ = [
    "LazyReleases",
    "convert_document",
    "decode_document",
    "decode_feed",
    "decode_summaries",
    "decode_summary",
    "decode_summary_feed",
    "encode",
    "to_builtins",
]


class LazyReleases(list[ReleaseDocument]):
    """A project's releases, each decoded from its JSON on first access.

    Holds :class:`msgspec.Raw` items until they are read; an audit of a pin
    reads a handful of a long history's releases. Encoding writes decoded and
    raw items alike, so a lazily read document round-trips byte for byte.
    """

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        item = super().__getitem__(index)
        if isinstance(item, msgspec.Raw):
            item = _release_decoder.decode(item)
            super().__setitem__(index, item)
        return item

    def __iter__(self) -> Iterator[ReleaseDocument]:
        for index in range(len(self)):
            yield self[index]

    def __reversed__(self) -> Iterator[ReleaseDocument]:
        for index in reversed(range(len(self))):
            yield self[index]


class _LazyDocument(_Struct):
    """A project document whose releases are left as raw JSON (see :class:`LazyReleases`)."""

    name: str
    display_name: str = ""
    classifier: str | None = None
    watch_reason: str | None = None
    summary: ProjectSummary | None = None
    releases: list[msgspec.Raw] = []
    claims: list[ClaimCheck] = []


_encoder = msgspec.json.Encoder()
_release_decoder = msgspec.json.Decoder(ReleaseDocument)
_lazy_decoder = msgspec.json.Decoder(_LazyDocument)
_document_decoder = msgspec.json.Decoder(ProjectDocument)
_feed_decoder = msgspec.json.Decoder(FeedDocument)
_summary_feed_decoder = msgspec.json.Decoder(SummaryFeed)
_summary_decoder = msgspec.json.Decoder(ProjectSummary)
_summaries_decoder = msgspec.json.Decoder(list[ProjectSummary])


def encode(value: msgspec.Struct | Sequence[msgspec.Struct]) -> bytes:
    """Compact JSON of a document, a summary or a list of them."""
    return _encoder.encode(value)


def to_builtins(value: Any) -> Any:
    """Plain dicts and lists of a struct (for callers that compose JSON themselves)."""
    return msgspec.to_builtins(value)


def _decode(decoder: msgspec.json.Decoder[Any], data: bytes | memoryview | str, what: str) -> Any:
    try:
        return decoder.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise DocumentError(f"{what}: {exc}") from None
    except RecursionError:
        raise DocumentError(f"{what}: nested too deeply") from None


def decode_document(
    data: bytes | memoryview | str, *, what: str = "project document", lazy: bool = False
) -> ProjectDocument:
    """A project document from JSON; :class:`DocumentError` when it has another shape.

    ``lazy`` leaves each release undecoded until it is read (:class:`LazyReleases`):
    for trusted documents (a snapshot fttrack wrote) of which a reader needs a few
    releases. A malformed release then fails when it is read.
    """
    if not lazy:
        document: ProjectDocument = _decode(_document_decoder, data, what)
        return document
    shell: _LazyDocument = _decode(_lazy_decoder, data, what)
    return ProjectDocument(
        name=shell.name,
        display_name=shell.display_name,
        classifier=shell.classifier,
        watch_reason=shell.watch_reason,
        releases=LazyReleases(cast(list[ReleaseDocument], shell.releases)),  # decoded on read
        summary=shell.summary,
        claims=shell.claims,
    )


def decode_feed(data: bytes | str, *, what: str = "feed") -> FeedDocument:
    """A full dump (schema 1 or 2) from JSON."""
    feed: FeedDocument = _decode(_feed_decoder, data, what)
    if feed.schema not in (1, DOCUMENT_SCHEMA):
        raise DocumentError(f"{what}: schema {feed.schema} is not one this fttrack reads")
    if feed.schema == 1:  # written by hand or by older versions: put releases in order
        for document in feed.projects:
            document.releases = newest_first(document.releases)
    return feed


def decode_summary_feed(data: bytes | str, *, what: str = "summary feed") -> SummaryFeed:
    """The summary feed (``/api/v1/feed.json``) from JSON."""
    feed: SummaryFeed = _decode(_summary_feed_decoder, data, what)
    return feed


def decode_summary(data: bytes | str, *, what: str = "project summary") -> ProjectSummary:
    """A project summary from JSON."""
    summary: ProjectSummary = _decode(_summary_decoder, data, what)
    return summary


def decode_summaries(data: bytes | str, *, what: str = "summaries") -> list[ProjectSummary]:
    """A JSON array of project summaries."""
    summaries: list[ProjectSummary] = _decode(_summaries_decoder, data, what)
    return summaries


def convert_document(value: Any, *, what: str = "project document") -> ProjectDocument:
    """A project document from already-parsed JSON (a dict)."""
    try:
        document: ProjectDocument = msgspec.convert(value, ProjectDocument)
    except msgspec.ValidationError as exc:
        raise DocumentError(f"{what}: {exc}") from None
    document.releases = newest_first(document.releases)
    return document
