"""Bounded looks at untrusted archives and files on the host, before and after install.

Wheels are unpacked outside the sandbox (by uv, which runs no package code),
so a wheel must not be able to fill the disk or the memory of the host:

- :func:`check_wheel` reads only a wheel's central directory and refuses it
  when the sizes it declares add up to more than a cap (a zip bomb is small
  on disk and huge unpacked), or when it has absurdly many entries;
- :func:`bounded_lines` reads a log line by line, each line cut at a length;
- :func:`read_head` reads at most a number of bytes of a file;
- :func:`sdist_members` streams an sdist's members (zip or tar) with caps on
  their number and on the bytes decompressed, opening none of them itself.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import lzma
import os
import struct
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = [
    "DEFAULT_MAX_UNPACKED_BYTES",
    "MAX_ENTRIES",
    "SdistMember",
    "WheelRefused",
    "bounded_lines",
    "check_wheel",
    "default_max_unpacked_bytes",
    "read_head",
    "sdist_members",
]

#: Default cap on the uncompressed size of all the wheels of one probe (8 GiB).
DEFAULT_MAX_UNPACKED_BYTES = 8 << 30
#: A wheel with more entries than this is refused before its directory is parsed.
MAX_ENTRIES = 200_000
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 65535


@dataclass(frozen=True)
class WheelRefused:
    """Why a wheel is not installed: one line for the verdict's detail."""

    wheel: str
    reason: str

    def __str__(self) -> str:
        return f"{self.wheel}: {self.reason}"


def default_max_unpacked_bytes() -> int:
    """The cap in ``FTTRACK_MAX_UNPACKED_MB`` when set, else the default (8 GiB)."""
    raw = os.environ.get("FTTRACK_MAX_UNPACKED_MB", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw) << 20
    return DEFAULT_MAX_UNPACKED_BYTES


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MiB" if size >= 1 << 20 else f"{size:,} bytes"


def _entry_count(path: Path) -> int | None:
    """The entry count of the zip's end-of-central-directory record (None: not found,
    or a ZIP64 archive whose count lives elsewhere)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        start = max(0, size - _EOCD_SIZE - _MAX_COMMENT)
        handle.seek(start)
        tail = handle.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return None
    total = int(struct.unpack_from("<H", tail, at + 10)[0])
    return None if total == 0xFFFF else total


def check_wheel(path: Path, max_unpacked_bytes: int) -> tuple[int, WheelRefused | None]:
    """The uncompressed size ``path`` declares, and why it is refused, if it is.

    Only the central directory is read: nothing is unpacked.
    """
    name = path.name
    try:
        count = _entry_count(path)
        if count is not None and count > MAX_ENTRIES:
            return 0, WheelRefused(name, f"{count:,} entries, above the cap of {MAX_ENTRIES:,}")
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        return 0, WheelRefused(name, f"not a readable wheel ({exc})")
    if len(infos) > MAX_ENTRIES:
        return 0, WheelRefused(name, f"{len(infos):,} entries, above the cap of {MAX_ENTRIES:,}")
    declared = sum(info.file_size for info in infos)
    if declared > max_unpacked_bytes:
        reason = (
            f"declares {_mib(declared)} uncompressed ({path.stat().st_size:,} bytes on disk), "
            f"above the cap of {_mib(max_unpacked_bytes)}"
        )
        return declared, WheelRefused(name, reason)
    return declared, None


def bounded_lines(path: Path, *, max_line: int = 4096) -> Iterator[str]:
    """The lines of a (possibly huge) text file, each cut at ``max_line`` characters.

    Memory stays bounded whatever the file holds: the rest of an over-long
    line is skipped, not kept.
    """
    try:
        handle = path.open("rb")
    except OSError:
        return
    with handle:
        while True:
            line = handle.readline(max_line)
            if not line:
                return
            if not line.endswith(b"\n"):
                while True:  # skip the rest of an over-long line
                    rest = handle.readline(1 << 16)
                    if not rest or rest.endswith(b"\n"):
                        break
            yield line.decode("utf-8", "replace").rstrip("\r\n")


def read_head(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes from the start of ``path``."""
    with path.open("rb") as handle:
        return handle.read(limit)


#: ``(name, is_file, is_dir, size, open)`` of one member of an sdist.
SdistMember = tuple[str, bool, bool, int, Callable[[], IO[bytes] | None]]


class _Capped:
    """A read-only stream that gives at most ``limit`` bytes in all, then raises."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.stream, self.left, self.limit = stream, limit, limit

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            raise ValueError(f"more than {self.limit:,} bytes decompressed")
        want = self.left if size is None or size < 0 else min(size, self.left)
        data = self.stream.read(want)
        self.left -= len(data)
        return data


def sdist_members(
    sdist: Path, *, max_entries: int = MAX_ENTRIES, max_scan_bytes: int
) -> Iterator[SdistMember]:
    """Each member of an sdist (``.zip``, ``.tar.gz``/``.tgz``, ``.tar.bz2``, ``.tar.xz``),
    streamed: a tar is read once, at most ``max_scan_bytes`` decompressed, and more than
    ``max_entries`` members is refused (ValueError, as is any other archive). A zip's
    link members are neither files nor directories. Nothing is written."""
    name = sdist.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(sdist) as archive:
            infos = archive.infolist()
            if len(infos) > max_entries:
                raise ValueError(f"{len(infos):,} members, above the cap of {max_entries:,}")
            for info in infos:
                is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
                yield (info.filename, not info.is_dir() and not is_link, info.is_dir(),
                       info.file_size, functools.partial(archive.open, info))  # fmt: skip
        return
    opener: Callable[[Path], IO[bytes]]
    if name.endswith((".tar.gz", ".tgz")):
        opener = gzip.open  # type: ignore[assignment]
    elif name.endswith(".tar.bz2"):
        opener = bz2.open
    elif name.endswith(".tar.xz"):
        opener = lzma.open
    else:
        raise ValueError("not an sdist archive")
    with opener(sdist) as raw:
        stream = _Capped(raw, max_scan_bytes)
        with tarfile.open(fileobj=stream, mode="r|") as archive:  # type: ignore[call-overload]
            for count, member in enumerate(archive):
                if count > max_entries:
                    raise ValueError(f"over {max_entries:,} members")
                yield (member.name, member.isfile(), member.isdir(), member.size,
                       functools.partial(archive.extractfile, member))  # fmt: skip
