"""Reading a file a user named: a regular file of bounded size, read with a cap.

Every file fttrack reads because a user named it (an audit's input and the
files it includes, a snapshot and its member index, the config file, a SQLite
database) is read through :func:`read_file`, opened through :func:`open_regular`
or checked through :func:`check_regular` before another library opens it. Before any
byte is read, the path is checked with ``os.stat`` to be a regular file no
larger than the caller's limit; anything else is refused with a
:class:`FileRefused` carrying a one-line reason:

- a character or block device (``/dev/zero``, ``/dev/urandom``), a FIFO, a
  socket, a directory: ``not a regular file (a FIFO)``. A device is never
  opened, and a FIFO is never waited on: the file is opened with
  ``O_NONBLOCK`` and checked again (``fstat``) once open, so a path swapped for
  a FIFO between the two checks is refused too, not waited on;
- a file whose size is over the limit (a sparse file of terabytes):
  refused at once, nothing read;
- a file that turns out larger than its size said (``/proc`` files say 0) is
  read up to the limit and one byte more, then refused: never further;
- a symlink loop, a missing file, a permission error: their reason.

Standard input is not a file here: callers read ``-`` themselves, with the same cap.
Only ``os``, ``stat`` and ``errno`` are imported (and ``pathlib``, loaded already): the
audit's fast path imports this module.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = [
    "FileRefused",
    "check_regular",
    "is_directory",
    "open_regular",
    "read_file",
    "resolve_path",
    "size_text",
]

_KINDS = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "not a regular file (a FIFO)"),
    (stat.S_ISCHR, "not a regular file (a character device)"),
    (stat.S_ISBLK, "not a regular file (a block device)"),
    (stat.S_ISSOCK, "not a regular file (a socket)"),
)
_CHUNK = 1024 * 1024


class FileRefused(Exception):
    """A file that is not read: ``reason`` is one line (``no such file``, ``not a regular
    file (a FIFO)``, ``larger than the 16 MiB limit``); ``too_large`` tells the size
    refusal from the others (some callers count a budget)."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large


def size_text(limit: int) -> str:
    """``16 MiB`` for a whole number of MiB, else ``N bytes``."""
    return f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit} bytes"


def _too_large(limit: int) -> FileRefused:
    return FileRefused(f"larger than the {size_text(limit)} limit", too_large=True)


def _reason(exc: OSError) -> str:
    """One line for an ``OSError`` of ``stat`` / ``open`` / ``read``."""
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.EISDIR:
        return "is a directory"
    if exc.errno == errno.ENOTDIR:
        return "no such file (a part of the path is not a directory)"
    return f"cannot read: {exc.strerror or exc}"


def _kind(mode: int) -> str | None:
    """Why a file of ``mode`` is refused; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, reason in _KINDS:
        if test(mode):
            return reason
    return "not a regular file"


def check_regular(path: str | Path, limit: int | None = None) -> os.stat_result:
    """``os.stat(path)`` once ``path`` is known to be a regular file of at most ``limit``
    bytes (when given); a :class:`FileRefused` otherwise. Nothing is opened."""
    try:
        found = os.stat(path)
    except OSError as exc:
        raise FileRefused(_reason(exc)) from None
    except ValueError:  # a NUL in the path
        raise FileRefused("no such file (the name holds a NUL)") from None
    refused = _kind(found.st_mode)
    if refused is not None:
        raise FileRefused(refused)
    if limit is not None and found.st_size > limit:
        raise _too_large(limit)
    return found


def open_regular(path: str | Path, limit: int | None = None) -> int:
    """A read-only descriptor of the regular file ``path`` (the caller closes it).

    Raises :class:`FileRefused` for anything but a regular file, and for one
    larger than ``limit`` bytes (when given), before reading any of it.
    """
    check_regular(path, limit)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileRefused(_reason(exc)) from None
    try:
        after = os.fstat(descriptor)
        refused = _kind(after.st_mode)
        if refused is not None:  # swapped since the stat
            raise FileRefused(refused)
        if limit is not None and after.st_size > limit:
            raise _too_large(limit)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read_file(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    Raises :class:`FileRefused` for anything but a regular file, for a file whose
    size is over ``limit``, and for one that turns out longer than ``limit`` as it
    is read (never reading more than ``limit + 1`` bytes).
    """
    descriptor = open_regular(path, limit)
    try:
        size = os.fstat(descriptor).st_size
        pieces: list[bytes] = []
        total = 0
        want = min(size, limit) + 1  # one byte more than its size: did it grow, or lie?
        while total < want:
            piece = os.read(descriptor, want - total)
            if not piece:
                break
            pieces.append(piece)
            total += len(piece)
            if total == want and total <= limit:  # longer than it said (/proc): go on
                want = min(total + _CHUNK, limit + 1)
    except OSError as exc:
        raise FileRefused(_reason(exc)) from None
    finally:
        os.close(descriptor)
    if total > limit:
        raise _too_large(limit)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def is_directory(path: str | Path) -> bool:
    """Whether ``path`` is a directory (False when it does not exist); a
    :class:`FileRefused` for a symlink loop, which ``Path.is_dir`` calls no directory."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileRefused("symlink loop") from None
        return False
    except ValueError:  # a NUL in the path
        return False


def resolve_path(path: str | Path) -> Path:
    """``Path(path).resolve()``, a :class:`FileRefused` (``symlink loop``) where that
    raises (a ``RuntimeError`` or an ``OSError`` on a symlink loop, by Python version)."""
    try:
        return Path(path).resolve()
    except RuntimeError:
        raise FileRefused("symlink loop") from None
    except OSError as exc:
        raise FileRefused(_reason(exc)) from None
