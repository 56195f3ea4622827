"""The snapshot file: project documents and their summaries, readable one project at a time.

A snapshot is ordinary gzip JSON (``zcat`` prints one :class:`FeedDocument`
with extra ``changes`` and ``summaries`` arrays), written as one gzip member per
project between header members, one of which holds every project's changes, and a
trailer member that holds every summary::

    {"schema":2,"generated":"…","targets":[…],"changes":     ← header member
    [{project changes},…]                                     ← changes member
    ,"projects":[                                             ← header member
    {project document}                                        ← one member each
    ,{project document}
    ],"summaries":[{summary},…]}                              ← trailer member

The member index beside it (``snapshot.index.json``) gives the byte span of
each member, the trailer's, the changes member's, and the header fields, so a
reader decompresses only what it needs: the summaries (a list of every project),
one project, or every project's changes.

The changes member holds, in file order, each project's
:class:`~tracker.documents.ProjectChanges` (its changes and flagged claim checks,
:func:`~tracker.documents.project_changes` of the document as written, encoded as
the store keeps them beside each summary, ``project_documents.changes``): the
changes index of a snapshot (:mod:`tracker.changes_index`) reads them instead of
computing them from every history. A snapshot written before they were (no
``changes`` member or span), or whose changes are of another
:data:`~tracker.documents.CHANGES_SCHEMA`, has them computed (:meth:`Archive.changes`
says None). Readers that predate them skip them: the members of the projects and
the trailer are where they were, only later in the file.
For a project with more than :data:`HEAD_RELEASES` releases, a third number
beside the span gives the length of the member's *head*: its decompressed bytes
up to the end of the newest :data:`HEAD_RELEASES` releases (the summary comes
before the releases in a document). An audit of a recent pin reads only the head
(:meth:`Archive.document_head`): boto3's member is 450 KB of JSON, its head 4 KB.
A missing or stale index (its ``size`` differs from the file's) falls back to
one bounded read of the whole file: same answers, slower.

Members are read through one file handle, opened at the first read and kept
until :meth:`Archive.close` (or until the archive is dropped): an audit reads a
hundred members or more, which used to open the file once each. Reads are
positioned (``os.pread``; a seek and a read elsewhere) under a lock, so threads
may share an archive (the API's cache and the TUI's workers do); once the
handle is open, a snapshot replaced on disk is not mixed with the one opened.

Every decompression is bounded (:data:`MEMBER_LIMIT`, :data:`FILE_LIMIT`): a
gzip bomb is a one-line :class:`~tracker.errors.SourceError`, never a
MemoryError. Schema 1 snapshots (no summaries, verbose verdicts) are still
read; their summaries are computed on load.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import zlib
from _thread import allocate_lock
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import msgspec

from tracker.collector import paused_collector
from tracker.documents import (
    CHANGES_SCHEMA,
    DOCUMENT_SCHEMA,
    TARGET_NAMES,
    ProjectChanges,
    ProjectDocument,
    ProjectSummary,
    decode_document,
    decode_feed,
    decode_summaries,
    encode,
    probed_targets,
    project_changes,
    summarize,
)
from tracker.errors import FttrackError, SourceError
from tracker.files import FileRefused, check_regular, open_regular, read_file

__all__ = [
    "FILE_LIMIT",
    "HEAD_RELEASES",
    "MEMBER_LIMIT",
    "SNAPSHOT_LIMIT",
    "Archive",
    "SnapshotWriteError",
    "index_path_for",
    "write_archive",
]

#: Largest decompressed size of one member (a project's history, or all summaries).
MEMBER_LIMIT = 256 * 1024 * 1024
#: Largest decompressed size of a whole snapshot read without its index (the shipped
#: snapshot is 40 MB; a larger one always has its index, written by :func:`write_archive`).
FILE_LIMIT = 1024 * 1024 * 1024
#: Largest snapshot file (compressed): checked before it is read, whether whole or by
#: members. Not a regular file (``/dev/zero``, a FIFO) is refused too, before any read.
SNAPSHOT_LIMIT = FILE_LIMIT
#: Releases in a member's head (see the module docstring): a lockfile pins recent
#: releases, and 16 hold every pin of a real 165-package uv.lock.
HEAD_RELEASES = 16
_GZIP_MAGIC = b"\x1f\x8b"
_INDEX_LIMIT = 64 * 1024 * 1024
_INFLATE_CHUNK = 16 * 1024 * 1024
_pread = getattr(os, "pread", None)


class _Index(msgspec.Struct):
    """``snapshot.index.json``: where each member lies in the snapshot file."""

    schema: int
    #: The snapshot file's size when the index was written (a mismatch: stale).
    size: int
    #: The summaries member (the trailer): (offset, length).
    summaries: tuple[int, int]
    #: Each project's member: name → (offset, length), or (offset, length, head length)
    #: for a history longer than :data:`HEAD_RELEASES` (see the module docstring).
    projects: dict[str, tuple[int, ...]]
    targets: list[str] | None = None
    probed_targets: list[str] | None = None
    generated: str | None = None
    #: The changes member: (offset, length); None in snapshots written before it was.
    changes: tuple[int, int] | None = None


class _FeedChanges(msgspec.Struct):
    """The ``changes`` array of a whole snapshot (read without its index)."""

    changes: list[ProjectChanges] | None = None


_INDEX_DECODER = msgspec.json.Decoder(_Index)
_CHANGES_DECODER = msgspec.json.Decoder(list[ProjectChanges])
_FEED_CHANGES_DECODER = msgspec.json.Decoder(_FeedChanges)
#: How far into a snapshot read whole its ``changes`` key is looked for (before its
#: ``projects``: the header fields come first).
_OPENING = 4096


def index_path_for(snapshot: Path) -> Path:
    """The member index beside a snapshot: ``snapshot.json.gz`` → ``snapshot.index.json``."""
    name = snapshot.name
    for suffix in (".json.gz", ".gz", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return snapshot.with_name(name + ".index.json")


def _inflate(data: bytes, limit: int, what: str) -> bytes:
    """Decompress every gzip member of ``data``, at most ``limit`` bytes of output.

    Output is produced a chunk at a time, so a gzip bomb costs at most ``limit``
    bytes of memory before it is refused (never a copy of it on top). A member
    that comes out in one chunk (most do) is returned as it is, not copied.
    """
    pieces: list[bytes] = []
    size = 0
    rest = data
    while rest:
        inflater = zlib.decompressobj(31)
        pending = rest
        while not inflater.eof:
            room = min(_INFLATE_CHUNK, limit - size + 1)
            try:
                piece = inflater.decompress(pending, room)
            except zlib.error as exc:
                raise SourceError(f"{what}: corrupt gzip data ({exc})") from None
            if piece:
                pieces.append(piece)
                size += len(piece)
            if size > limit:
                raise SourceError(f"{what}: decompresses to more than {limit // 2**20} MiB")
            pending = inflater.unconsumed_tail
            if not piece and not pending:
                raise SourceError(f"{what}: truncated gzip data")
        rest = inflater.unused_data.lstrip(b"\0")
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


class Archive:
    """Read access to a snapshot file (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.generated: str | None = None
        self.targets: tuple[str, ...] = TARGET_NAMES
        self._probed_targets: tuple[str, ...] | None = None
        #: name -> (offset, length[, head length]) of its member.
        self._spans: dict[str, tuple[int, ...]] | None = None
        self._trailer: tuple[int, int] | None = None
        self._changes_span: tuple[int, int] | None = None
        #: The changes of a snapshot read whole (None: it has none).
        self._whole_changes: list[ProjectChanges] | None = None
        self._by_name: dict[str, ProjectDocument] = {}
        self._summaries: list[ProjectSummary] | None = None
        self._handle: BinaryIO | None = None
        self._handle_lock = allocate_lock()
        try:  # a regular file within SNAPSHOT_LIMIT: nothing is opened or read yet
            self._size = check_regular(path, SNAPSHOT_LIMIT).st_size
        except FileRefused as exc:
            raise self._refused(exc) from None
        if not self._open_index():
            self._read_whole()

    def _fail(self, message: str) -> SourceError:
        return SourceError(f"snapshot {self.path}: {message}")

    # -- opening -------------------------------------------------------------------------

    def _refused(self, exc: FileRefused) -> SourceError:
        """The error for a snapshot :mod:`tracker.files` refuses to read."""
        if exc.reason == "no such file":
            return SourceError(
                f"no snapshot at {self.path}: pass --snapshot PATH, set FTTRACK_SNAPSHOT, "
                "or use --server URL / --db URL"
            )
        return self._fail(exc.reason)

    def _open_index(self) -> bool:
        index_path = index_path_for(self.path)
        try:
            raw = read_file(index_path, _INDEX_LIMIT)
            with paused_collector():  # many objects, no cycle
                index = _INDEX_DECODER.decode(raw)
            if index.schema != DOCUMENT_SCHEMA:
                return False
            if index.size != self._size:
                return False  # stale: the snapshot was replaced after its index
        except (FileRefused, msgspec.MsgspecError):
            return False
        spans = index.projects
        self._trailer = index.summaries
        self._changes_span = index.changes
        self.targets = tuple(index.targets or TARGET_NAMES)
        if index.probed_targets is not None:
            self._probed_targets = tuple(index.probed_targets)
        self.generated = index.generated
        if any(len(span) not in (2, 3) for span in spans.values()):
            return False
        self._spans = spans
        return True

    def _read_whole(self) -> None:
        try:
            raw = read_file(self.path, SNAPSHOT_LIMIT)
        except FileRefused as exc:
            raise self._refused(exc) from None
        if raw.startswith(_GZIP_MAGIC):
            raw = _inflate(raw, FILE_LIMIT, f"snapshot {self.path}")
        what = f"snapshot {self.path}"
        with paused_collector():
            feed = decode_feed(raw, what=what)
        self.generated = feed.generated
        self.targets = tuple(feed.targets)
        for document in feed.projects:
            if document.summary is None:  # schema 1: documents without their summary
                document.summary = summarize(document)
            self._by_name.setdefault(document.name, document)
        self._summaries = feed.summaries or [
            d.summary for d in feed.projects if d.summary is not None
        ]
        opening = raw[:_OPENING]
        at, projects = opening.find(b'"changes"'), opening.find(b'"projects"')
        if at >= 0 and (projects < 0 or at < projects):  # written with its changes
            with paused_collector(), contextlib.suppress(msgspec.MsgspecError):
                self._whole_changes = _FEED_CHANGES_DECODER.decode(raw).changes

    def _read(self, start: int, length: int) -> bytes:
        """``length`` bytes at ``start`` (fewer at the end of the file), through the one
        handle (opened on first use)."""
        with self._handle_lock:
            if self._handle is None:
                try:
                    descriptor = open_regular(self.path, SNAPSHOT_LIMIT)
                except FileRefused as exc:
                    raise self._refused(exc) from None
                self._handle = os.fdopen(descriptor, "rb", buffering=0)
            handle = self._handle
            data = b""
            while len(data) < length:  # a raw read may return less than asked
                at, size = start + len(data), length - len(data)
                if _pread is not None:
                    piece = _pread(handle.fileno(), size, at)
                else:
                    handle.seek(at)
                    piece = handle.read(size)
                if not piece:
                    break
                data += piece
            return data

    def _compressed(self, span: tuple[int, ...]) -> bytes:
        start, length = span[0], span[1]
        if start < 0 or not 0 <= length <= MEMBER_LIMIT or start + length > self._size:
            raise self._fail(f"the index puts a member at bytes {start}+{length}: out of range")
        try:
            return self._read(span[0], span[1])
        except OSError as exc:
            raise self._fail(f"cannot read: {exc.strerror or exc}") from None

    def _member(self, span: tuple[int, ...], what: str) -> bytes:
        return _inflate(self._compressed(span), MEMBER_LIMIT, f"snapshot {self.path}: {what}")

    def _member_head(self, span: tuple[int, ...], what: str) -> bytes:
        """The head of a member (its first ``span[2]`` decompressed bytes; the rest is
        not inflated)."""
        length = span[2]
        if not 0 < length <= MEMBER_LIMIT:
            raise self._fail(f"{what}: head length {length} out of range")
        try:
            head = zlib.decompressobj(31).decompress(self._compressed(span), length)
        except zlib.error as exc:
            raise self._fail(f"{what}: corrupt gzip data ({exc})") from None
        if len(head) < length:
            raise self._fail(f"{what}: the member is shorter than its head")
        return head

    def close(self) -> None:
        """Close the file handle, if one is open (the next read opens it again)."""
        with self._handle_lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)  # None too when __init__ raised early
        if handle is not None:
            handle.close()

    # -- reading -------------------------------------------------------------------------

    def names(self) -> list[str]:
        """Every project name, in file order."""
        if self._spans is not None:
            return list(self._spans)
        return list(self._by_name)

    def summaries(self) -> list[ProjectSummary]:
        """Every project's summary (one small member: no history is read)."""
        if self._summaries is None:
            assert self._trailer is not None
            text = self._member(self._trailer, "summaries")
            head = b'],"summaries":'
            if not text.startswith(head) or not text.endswith(b"}"):
                raise self._fail("malformed summaries member")
            what = f"snapshot {self.path}: summaries"
            with paused_collector():  # some 100,000 objects for 15,000 projects, no cycle
                self._summaries = decode_summaries(text[len(head) : -1], what=what)
        return self._summaries

    def changes(self) -> list[ProjectChanges] | None:
        """Every project's stored changes and flagged claim checks, in file order (one
        small member: no history is read); None when the snapshot was written without
        them, or with changes of another :data:`~tracker.documents.CHANGES_SCHEMA`
        (compute them from the documents then)."""
        if self._spans is None:
            found = self._whole_changes
        elif self._changes_span is None:
            return None
        else:
            text = self._member(self._changes_span, "changes")
            try:
                with paused_collector():  # some 10,000 objects, no cycle
                    found = _CHANGES_DECODER.decode(text)
            except msgspec.MsgspecError as exc:
                raise self._fail(f"changes: {exc}") from None
        if found is None or any(p.schema != CHANGES_SCHEMA for p in found):
            return None
        return found

    def probed_targets(self) -> tuple[str, ...]:
        """Targets with at least one probe verdict (from the index, else the summaries)."""
        if self._probed_targets is None:
            self._probed_targets = probed_targets(self.summaries())
        return self._probed_targets

    def document(self, name: str) -> ProjectDocument | None:
        """The document of project ``name`` (normalized), or None when it is not there."""
        if name in self._by_name or self._spans is None:
            return self._by_name.get(name)
        span = self._spans.get(name)
        if span is None:
            return None
        document = self._decode_member(self._member(span, f"project {name!r}"), name)
        self._by_name[name] = document
        return document

    def document_head(self, name: str) -> tuple[ProjectDocument, bool] | None:
        """Project ``name`` with only its newest :data:`HEAD_RELEASES` releases (and its
        summary), and whether that is its whole history; None when it is not there.

        A history of at most :data:`HEAD_RELEASES` releases, or a snapshot whose index
        gives no head, is read whole (and said to be). The head is not kept: ask
        :meth:`document` for the whole history.
        """
        span = self._spans.get(name) if self._spans is not None else None
        if name in self._by_name or span is None or len(span) < 3:
            found = self.document(name)
            return (found, True) if found is not None else None
        head = self._member_head(span, f"project {name!r}") + b"]}"  # close releases, document
        return self._decode_member(head, name), False

    def _decode_member(self, text: bytes, name: str) -> ProjectDocument:
        """The (lazily decoded) document in a project member's text."""
        skip = 0
        while text[skip : skip + 1] == b",":  # the separator before every member but the first
            skip += 1
        document = decode_document(
            memoryview(text)[skip:] if skip else text,  # a view: no copy of the member
            what=f"snapshot {self.path}: project {name!r}",
            lazy=True,
        )
        if document.name != name:
            raise self._fail(f"project {name!r}: the member holds {document.name!r}")
        return document

    def documents(self) -> Iterator[ProjectDocument]:
        """Every project document, in file order (read one at a time)."""
        for name in self.names():
            document = self.document(name)
            if document is not None:
                yield document
                if self._spans is not None:
                    self._by_name.pop(name, None)  # keep memory flat on a full walk


class SnapshotWriteError(FttrackError):
    """A snapshot could not be written (a full disk, no permission); its ``.partial``
    files are removed and the snapshot already at the path is left as it was."""


def write_archive(
    path: Path, documents: Iterable[ProjectDocument], *, generated: str | None
) -> list[ProjectSummary]:
    """Write ``documents`` as a snapshot at ``path`` with its member index; return the summaries.

    Each document's summary is the one it carries, else :func:`summarize`'s (written
    into its member too, so that every member read alone carries its summary); its
    changes and flagged claim checks (:func:`project_changes` of the document as
    written) go in the changes member. ``documents`` is read once, one at a time:
    the project members are written to a ``.body.partial`` file beside the snapshot
    first, then copied after the header and the changes (which need every document).
    Both files are replaced atomically, the index last: a reader never sees an
    index that does not match its snapshot (a mismatch falls back to a full read).
    A write that fails (a full disk) removes every ``.partial`` file and raises
    :class:`SnapshotWriteError` (one line).
    """
    partial = path.with_name(path.name + ".partial")
    body_partial = path.with_name(path.name + ".body.partial")
    index_path = index_path_for(path)
    index_partial = index_path.with_name(index_path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return _write_archive(
            path, partial, body_partial, index_partial, documents, generated=generated
        )
    except OSError as exc:  # a full disk: one line, and no .partial file left
        for leftover in (partial, index_partial):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise SnapshotWriteError(
            f"{path}: cannot write the snapshot: {exc.strerror or exc}"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            body_partial.unlink()


def _member(handle: BinaryIO, data: bytes) -> list[int]:
    """Write ``data`` as one gzip member at the end of ``handle``: its [offset, length]."""
    start = handle.tell()
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    handle.write(compressor.compress(data) + compressor.flush())
    return [start, handle.tell() - start]


def _write_archive(
    path: Path,
    partial: Path,
    body_partial: Path,
    index_partial: Path,
    documents: Iterable[ProjectDocument],
    *,
    generated: str | None,
) -> list[ProjectSummary]:
    spans: dict[str, list[int]] = {}
    summaries: list[ProjectSummary] = []
    changes: list[bytes] = []  # each project's, encoded (1.5 MB for 5,000 projects)
    with body_partial.open("w+b") as body_handle:
        for number, document in enumerate(documents):
            if document.summary is None:  # every member carries its summary
                document = msgspec.structs.replace(document, summary=summarize(document))
            assert document.summary is not None
            summaries.append(document.summary)
            changes.append(encode(project_changes(document)))
            body = (b"," if number else b"") + encode(document)
            span = spans[document.name] = _member(body_handle, body)
            head_length = _head_length(document, body)
            if head_length is not None:
                span.append(head_length)
        with partial.open("wb") as handle:
            _member(
                handle,
                b'{"schema":%d,"generated":%s,"targets":%s,"changes":'
                % (
                    DOCUMENT_SCHEMA,
                    msgspec.json.encode(generated),
                    msgspec.json.encode(list(TARGET_NAMES)),
                ),
            )
            changes_span = _member(handle, b"[" + b",".join(changes) + b"]")
            _member(handle, b',"projects":[')
            shift = handle.tell()
            body_handle.seek(0)
            shutil.copyfileobj(body_handle, handle)
            for span in spans.values():
                span[0] += shift
            trailer = _member(handle, b'],"summaries":' + encode(summaries) + b"}")
            size = handle.tell()
    index = {
        "schema": DOCUMENT_SCHEMA,
        "size": size,
        "generated": generated,
        "targets": list(TARGET_NAMES),
        "probed_targets": list(probed_targets(summaries)),
        "summaries": trailer,
        "changes": changes_span,
        "projects": spans,
    }
    index_partial.write_bytes(msgspec.json.encode(index))
    os.replace(partial, path)
    os.replace(index_partial, index_path_for(path))
    return summaries


def _head_length(document: ProjectDocument, body: bytes) -> int | None:
    """How many bytes of a member's ``body`` hold the document up to the end of its newest
    :data:`HEAD_RELEASES` releases, or None when it has no more releases than that (or,
    should its releases not encode as they were written, when the head cannot be told)."""
    if len(document.releases) <= HEAD_RELEASES:
        return None
    shortened = encode(
        msgspec.structs.replace(document, releases=document.releases[:HEAD_RELEASES])
    )
    if not shortened.endswith(b"]}"):
        return None
    prefix = shortened[:-2]  # without the closing of the releases and of the document
    start = body.find(prefix[:1])  # past the separator
    if start < 0 or not body.startswith(prefix, start):
        return None
    return start + len(prefix)
