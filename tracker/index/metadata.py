"""Core metadata of a wheel without downloading it: HTTP range requests into the zip.

A wheel is a zip file; its ``*.dist-info/METADATA`` member is found through the
central directory at the end of the file. :func:`metadata_from_wheel` asks for
the last ``tail_bytes`` (``Range: bytes=-N``), reads the end-of-central-directory
record (zip64 too), fetches the rest of the central directory if the tail did
not hold it, then fetches just the METADATA member and inflates it. A server
that ignores ``Range`` (answers ``200``) gets the whole file read instead,
within the download cap.

:func:`parse_core_metadata` turns METADATA bytes (from here or a PEP 658
``.metadata`` file) into :class:`~tracker.index.interface.CoreMetadata`.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from packaging.metadata import parse_email

from tracker.errors import IndexUnavailable
from tracker.index.http import Fetcher
from tracker.index.interface import CoreMetadata, IndexFile
from tracker.index.parse import has_control_character

__all__ = ["find_metadata_member", "metadata_from_wheel", "parse_core_metadata"]

_EOCD = struct.Struct("<4sHHHHIIH")
_EOCD_SIG = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sIQI")
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")
_ZIP64_EOCD_SIG = b"PK\x06\x06"
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_CENTRAL_SIG = b"PK\x01\x02"
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIG = b"PK\x03\x04"
_METADATA_RE = re.compile(r"^[^/]+\.dist-info/METADATA$")
_CONTENT_RANGE_RE = re.compile(r"^bytes\s+(\d+)-(\d+)/(\d+)$")
_STORED, _DEFLATED = 0, 8


def parse_core_metadata(data: bytes, *, source: str, what: str = "metadata") -> CoreMetadata:
    """Parse METADATA (RFC 822 style) leniently, as installers do.

    >>> md = parse_core_metadata(b"Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n"
    ...     b"Requires-Dist: numpy>=2\\n"
    ...     b"Classifier: Programming Language :: Python :: Free Threading :: 2 - Beta\\n",
    ...     source="metadata-file")
    >>> md.requires_dist, md.free_threading
    (('numpy>=2',), 'Programming Language :: Python :: Free Threading :: 2 - Beta')
    """
    raw, _unparsed = parse_email(data)
    if not raw.get("name") and not raw.get("metadata_version"):
        raise IndexUnavailable(f"{what}: not a core metadata file")
    return CoreMetadata(
        name=raw.get("name"),
        version=raw.get("version"),
        requires_python=raw.get("requires_python"),
        requires_dist=tuple(raw.get("requires_dist", ())),
        # a classifier is stored and shown: one with a NUL or a newline is not a classifier
        classifiers=tuple(c for c in raw.get("classifiers", ()) if not has_control_character(c)),
        source=source,
    )


@dataclass(frozen=True)
class _Member:
    name: str
    method: int
    crc: int
    compressed_size: int
    size: int
    header_offset: int


def _zip64_values(extra: bytes, wanted: list[bool]) -> list[int]:
    """Values from the zip64 extra field, in order, for the fields that overflowed."""
    position = 0
    while position + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + length]
        if tag == 0x0001:
            values = []
            offset = 0
            for needed in wanted:
                if needed:
                    values.append(struct.unpack_from("<Q", body, offset)[0])
                    offset += 8
            return values
        position += 4 + length
    raise ValueError("zip64 extra field missing")


def _central_members(directory: bytes) -> list[_Member]:
    members: list[_Member] = []
    position = 0
    while position + _CENTRAL.size <= len(directory):
        fields = _CENTRAL.unpack_from(directory, position)
        if fields[0] != _CENTRAL_SIG:
            break
        (
            _sig, _made, _need, flags, method, _time, _date, crc,
            csize, usize, name_len, extra_len, comment_len, _disk, _iattr, _eattr, offset,
        ) = fields  # fmt: skip
        start = position + _CENTRAL.size
        raw_name = directory[start : start + name_len]
        extra = directory[start + name_len : start + name_len + extra_len]
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
        wanted = [usize == 0xFFFFFFFF, csize == 0xFFFFFFFF, offset == 0xFFFFFFFF]
        if any(wanted):
            values = iter(_zip64_values(extra, wanted))
            usize = next(values) if wanted[0] else usize
            csize = next(values) if wanted[1] else csize
            offset = next(values) if wanted[2] else offset
        members.append(_Member(name, method, crc, csize, usize, offset))
        position = start + name_len + extra_len + comment_len
    return members


def find_metadata_member(names: list[str], wheel_filename: str) -> str | None:
    """The ``*.dist-info/METADATA`` member of a wheel, preferring the filename's name-version.

    >>> find_metadata_member(["a/x.py", "demo-1.0.dist-info/METADATA"], "demo-1.0-py3-none-any.whl")
    'demo-1.0.dist-info/METADATA'
    """
    candidates = [n for n in names if _METADATA_RE.match(n)]
    if not candidates:
        return None
    prefix = "-".join(wheel_filename.split("-")[:2]).lower() + ".dist-info/"
    for name in candidates:
        if name.lower().startswith(prefix):
            return name
    return candidates[0]


class _RemoteFile:
    """Byte ranges of one remote file; fetched pieces are kept for reuse."""

    def __init__(self, fetcher: Fetcher, url: str, what: str, max_download: int) -> None:
        self.fetcher = fetcher
        self.url = url
        self.what = what
        self.max_download = max_download
        self.total = 0
        self.segments: list[tuple[int, bytes]] = []  # (offset, bytes) pieces held
        self.whole: bytes | None = None  # set when the server sent the entire file
        self.requests = 0

    async def _get(self, range_header: str | None) -> tuple[int, str | None, bytes]:
        headers = {"Accept-Encoding": "identity"}
        if range_header is not None:
            headers["Range"] = range_header
        fetched = await self.fetcher.get(
            self.url, what=self.what, headers=headers, max_bytes=self.max_download
        )
        self.requests += 1
        return fetched.status, fetched.headers.get("Content-Range"), fetched.body

    async def load_tail(self, size: int) -> None:
        """Fetch the last ``size`` bytes (or the whole file if the server insists)."""
        status, content_range, body = await self._get(f"bytes=-{size}")
        if status == 416:  # some servers refuse a suffix longer than the file
            status, content_range, body = await self._get(None)
        self._take(status, content_range, body, expect_end=True)

    def _take(
        self, status: int, content_range: str | None, body: bytes, *, expect_end: bool
    ) -> None:
        if status == 200:
            self.whole = body
            self.total = len(body)
            self.segments = [(0, body)]
            return
        if status != 206:
            raise IndexUnavailable(f"{self.what}: HTTP {status} from {self.url}")
        match = _CONTENT_RANGE_RE.match((content_range or "").strip())
        if not match:
            raise IndexUnavailable(f"{self.what}: unusable Content-Range {content_range!r}")
        first, last, total = (int(g) for g in match.groups())
        if last - first + 1 != len(body) or (expect_end and last + 1 != total):
            raise IndexUnavailable(f"{self.what}: range answer does not match its Content-Range")
        self.total = total
        self.segments.append((first, body))

    async def read(self, start: int, end: int) -> bytes:
        """Bytes ``[start, end)`` of the file (clipped to its size), fetching what is missing."""
        end = min(end, self.total)
        if start < 0 or start > end:
            raise IndexUnavailable(f"{self.what}: corrupt zip (offset {start} outside the file)")
        for offset, piece in self.segments:
            if offset <= start and end <= offset + len(piece):
                return piece[start - offset : end - offset]
        if start == end:
            return b""
        status, content_range, body = await self._get(f"bytes={start}-{end - 1}")
        self._take(status, content_range, body, expect_end=False)
        if status == 200:
            return body[start:end]
        return body


def _metadata_from_zip_bytes(data: bytes, wheel_filename: str, what: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = find_metadata_member(archive.namelist(), wheel_filename)
            if member is None:
                raise IndexUnavailable(f"{what}: the wheel has no .dist-info/METADATA")
            return archive.read(member)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise IndexUnavailable(f"{what}: not a readable wheel ({exc})") from None


async def _central_directory(remote: _RemoteFile) -> bytes:
    tail_start, tail = remote.segments[-1]
    position = tail.rfind(_EOCD_SIG)
    if position < 0 or position + _EOCD.size > len(tail):
        raise IndexUnavailable(f"{remote.what}: not a zip file (no end of central directory)")
    _sig, _d, _cd, _n, entries, cd_size, cd_offset, _c = _EOCD.unpack_from(tail, position)
    if 0xFFFFFFFF in (cd_size, cd_offset) or entries == 0xFFFF:
        locator_at = tail_start + position - _ZIP64_LOCATOR.size
        locator = await remote.read(locator_at, locator_at + _ZIP64_LOCATOR.size)
        sig, _disk, record_at, _disks = _ZIP64_LOCATOR.unpack(locator)
        if sig != _ZIP64_LOCATOR_SIG:
            raise IndexUnavailable(f"{remote.what}: corrupt zip64 end of central directory")
        record = await remote.read(record_at, record_at + _ZIP64_EOCD.size)
        fields = _ZIP64_EOCD.unpack(record)
        if fields[0] != _ZIP64_EOCD_SIG:
            raise IndexUnavailable(f"{remote.what}: corrupt zip64 end of central directory")
        cd_size, cd_offset = fields[8], fields[9]
    return await remote.read(cd_offset, cd_offset + cd_size)


async def _member_bytes(remote: _RemoteFile, member: _Member) -> bytes:
    guess_end = member.header_offset + _LOCAL.size + len(member.name) * 4 + 1024
    header = await remote.read(member.header_offset, guess_end + member.compressed_size)
    if len(header) < _LOCAL.size or header[:4] != _LOCAL_SIG:
        raise IndexUnavailable(f"{remote.what}: corrupt zip (bad local header for {member.name})")
    fields = _LOCAL.unpack_from(header)
    data_start = member.header_offset + _LOCAL.size + fields[9] + fields[10]
    compressed = await remote.read(data_start, data_start + member.compressed_size)
    if len(compressed) != member.compressed_size:
        raise IndexUnavailable(f"{remote.what}: truncated zip member {member.name}")
    try:
        if member.method == _STORED:
            data = compressed
        elif member.method == _DEFLATED:
            data = zlib.decompress(compressed, -15)
        else:
            raise IndexUnavailable(f"{remote.what}: unsupported compression {member.method}")
    except zlib.error as exc:
        raise IndexUnavailable(f"{remote.what}: cannot inflate {member.name} ({exc})") from None
    if zlib.crc32(data) != member.crc or len(data) != member.size:
        raise IndexUnavailable(f"{remote.what}: CRC mismatch in {member.name}")
    return data


async def metadata_from_wheel(
    fetcher: Fetcher,
    file: IndexFile,
    *,
    tail_bytes: int = 64 * 1024,
    max_download: int = 512 * 1024 * 1024,
) -> CoreMetadata:
    """Core metadata read from the wheel at ``file.url`` with range requests.

    Usually two requests: the tail (holding the central directory) and the
    METADATA member. Falls back to reading the whole file when the server
    ignores ``Range``; ``max_download`` caps that.
    """
    what = f"wheel {file.filename!r}"
    remote = _RemoteFile(fetcher, file.url, what, max_download)
    await remote.load_tail(tail_bytes)
    if remote.whole is not None:
        data = _metadata_from_zip_bytes(remote.whole, file.filename, what)
        return parse_core_metadata(data, source="download", what=what)
    try:
        directory = await _central_directory(remote)
        members = {m.name: m for m in _central_members(directory)}
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise IndexUnavailable(f"{what}: corrupt zip central directory ({exc})") from None
    name = find_metadata_member(list(members), file.filename)
    if name is None:
        raise IndexUnavailable(f"{what}: the wheel has no .dist-info/METADATA")
    if remote.whole is not None:  # a later range request was answered with the whole file
        data = _metadata_from_zip_bytes(remote.whole, file.filename, what)
        return parse_core_metadata(data, source="download", what=what)
    data = await _member_bytes(remote, members[name])
    return parse_core_metadata(data, source="range", what=what)
