"""The interface every requirement source implements, and helpers they share.

A *requirement source* reads one file (a lockfile, a requirements file, a
``pyproject.toml``) and yields :class:`~tracker.models.Dependency` values:
normalized name, pinned version (or ``None`` for a loose requirement), the
specifier, environment markers, and ``origin`` (``"file:line"``). A line that
cannot be judged (an editable install, a URL, a local path) is still yielded,
with ``skipped_reason`` set: "could not check" is a value, not an exception.

A file that cannot be read or parsed raises :class:`~tracker.errors.InputError`
naming the file and the line or key.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from tracker.errors import InputError
from tracker.models import Dependency
from tracker.names import is_valid_name
from tracker.names import normalize_name as canonical_name

__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_VERSION_CHARS",
    "STDIN",
    "RequirementSource",
    "TomlLines",
    "TooLarge",
    "check_dependency",
    "display_path",
    "load_toml",
    "normalize_name",
    "read_text",
    "require_list",
    "require_table",
]

#: The path that means "read standard input".
STDIN = "-"

#: The largest input file read (a real uv.lock of 500 packages is about 2 MiB).
MAX_INPUT_BYTES = 16 * 1024 * 1024
#: The longest version string accepted (in a pin or a specifier clause).
MAX_VERSION_CHARS = 256


def _size_text(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit} bytes"


class TooLarge(InputError):
    """An input is larger than the limit it was read with."""


def too_large(path: str, limit: int = MAX_INPUT_BYTES) -> InputError:
    """The error for an input over ``limit`` bytes."""
    return TooLarge(path, f"larger than the {_size_text(limit)} limit")


@runtime_checkable
class RequirementSource(Protocol):
    """Something that yields the dependencies declared or locked in one file.

    ``format_name`` is the name used by ``--format-in`` (``uv.lock``,
    ``requirements``, ...); ``path`` is the file as the user named it.
    """

    format_name: str
    path: str

    def __iter__(self) -> Iterator[Dependency]:
        """Yield every dependency, in file order; raise InputError on bad input."""
        ...


def display_path(path: str | Path) -> str:
    """The path as shown in messages and origins (``<stdin>`` for ``-``)."""
    text = str(path)
    return "<stdin>" if text == STDIN else text


def read_bytes(path: str | Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """At most ``limit`` bytes of a file (or stdin for ``-``); InputError if it is larger.

    Never reads more than ``limit + 1`` bytes, so ``/dev/zero`` or a pipe that never
    ends is refused, not read until memory runs out.
    """
    shown = display_path(path)
    try:
        if str(path) == STDIN:
            stream = getattr(sys.stdin, "buffer", None)
            if stream is not None:
                data: bytes = stream.read(limit + 1)
            else:
                data = sys.stdin.read(limit + 1).encode("utf-8", "surrogateescape")
        else:
            with Path(path).open("rb") as handle:
                data = handle.read(limit + 1)
    except IsADirectoryError:
        raise InputError(shown, "is a directory") from None
    except FileNotFoundError:
        raise InputError(shown, "no such file") from None
    except OSError as exc:
        raise InputError(shown, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise too_large(shown, limit)
    return data


def decode_text(path: str | Path, data: bytes) -> str:
    """``data`` as UTF-8 text (a BOM is dropped); InputError naming the line otherwise.

    Text with NUL bytes (``/proc/self/environ``, a binary, UTF-16) is refused
    without quoting any of it.
    """
    nul = data.find(b"\0")
    if nul >= 0:
        line = data[:nul].count(b"\n") + 1
        raise InputError(display_path(path), "contains NUL bytes: not a text file", line=line)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(display_path(path), "not valid UTF-8 text", line=line) from None


def read_text(path: str | Path, limit: int = MAX_INPUT_BYTES) -> str:
    """Read a text file (or stdin for ``-``) of at most ``limit`` bytes, or raise InputError."""
    return decode_text(path, read_bytes(path, limit))


def load_toml(path: str, text: str, *, parser: str | None = None) -> dict[str, Any]:
    """Parse TOML text, turning syntax errors into an InputError with the line.

    ``parser``: ``tomli`` or ``tomllib`` (see :mod:`tracker.audit.sources.tomlparse`).
    """
    from tracker.audit.sources import tomlparse

    try:
        return tomlparse.loads(text, parser=parser)
    except tomlparse.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        message = str(exc).split(" (at line")[0]
        if line is None:
            match = re.search(r"at line (\d+)", str(exc))
            line = int(match.group(1)) if match else None
        raise InputError(path, f"invalid TOML: {message}", line=line) from None
    except RecursionError:
        raise InputError(path, "invalid TOML: nested too deeply") from None


def check_version(path: str, version: str, *, what: str, line: int | None = None) -> None:
    """Refuse a version string longer than :data:`MAX_VERSION_CHARS`.

    Such a string is no real version, and parsing one (``packaging`` turns each
    part into an int) fails past 4,300 digits.
    """
    if len(version) > MAX_VERSION_CHARS:
        raise InputError(
            path,
            f"{what}: version longer than {MAX_VERSION_CHARS} characters ({len(version)})",
            line=line,
        )


def check_dependency(path: str, dep: Dependency, line: int | None = None) -> Dependency:
    """``dep`` once its version and specifier versions are of a sane length."""
    if dep.version is not None:
        check_version(path, dep.version, what=dep.name, line=line)
    if len(dep.specifier) > MAX_VERSION_CHARS:
        for clause in dep.specifier.split(","):
            check_version(path, clause.lstrip("<>=!~ "), what=dep.name, line=line)
    return dep


def normalize_name(path: str, raw: object, *, key: str, line: int | None = None) -> str:
    """Validate and canonicalize a project name read from ``key``."""
    if not isinstance(raw, str) or not is_valid_name(raw):
        raise InputError(path, f"{key}: invalid project name {raw!r}", line=line)
    return canonical_name(raw)


def require_table(path: str, value: object, key: str) -> dict[str, Any]:
    """``value`` as a table (dict), or an InputError naming ``key``."""
    if not isinstance(value, dict):
        raise InputError(path, f"{key}: expected a table, got {type(value).__name__}")
    return value


def require_list(path: str, value: object, key: str) -> list[Any]:
    """``value`` as an array (list), or an InputError naming ``key``."""
    if not isinstance(value, list):
        raise InputError(path, f"{key}: expected an array, got {type(value).__name__}")
    return value


def optional_str(path: str, table: dict[str, Any], field: str, key: str) -> str | None:
    """``table[field]`` as a string or None, or an InputError naming ``key.field``."""
    value = table.get(field)
    if value is None or isinstance(value, str):
        return value
    raise InputError(path, f"{key}.{field}: expected a string, got {type(value).__name__}")


class TomlLines:
    """Line numbers of ``[[array]]`` headers and of ``name = "..."`` keys in TOML text.

    ``tomllib`` keeps no positions, so origins are found by a light scan: the
    i-th ``[[package]]`` header belongs to the i-th element of the parsed array.
    """

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._headers: dict[str, list[int]] = {}

    def headers(self, table: str) -> list[int]:
        """1-based line numbers of every ``[[table]]`` header, in order."""
        if table not in self._headers:
            pattern = re.compile(r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]\s*(#.*)?$")
            self._headers[table] = [
                i + 1
                for i, line in enumerate(self._lines)
                if "[[" in line and pattern.match(line)  # the test first: most lines fail it
            ]
        return self._headers[table]

    def find(self, needle: str, start: int = 0) -> int | None:
        """1-based number of the first line at or after ``start`` containing ``needle``."""
        for i in range(max(start, 0), len(self._lines)):
            if needle in self._lines[i]:
                return i + 1
        return None

    def element_line(self, table: str, index: int) -> int | None:
        """Line of the ``name =`` key of the index-th ``[[table]]`` element (or its header)."""
        headers = self.headers(table)
        if index >= len(headers):
            return None
        header = headers[index]
        end = headers[index + 1] - 1 if index + 1 < len(headers) else len(self._lines)
        for i in range(header, end):
            if re.match(r"^\s*name\s*=", self._lines[i]):
                return i + 1
        return header


def origin(path: str, line: int | None) -> str:
    """``file:line`` (or just ``file`` when the line is unknown)."""
    return f"{path}:{line}" if line is not None else path


def pinned(name: str, version: str, **kwargs: Any) -> Dependency:
    """A Dependency pinned to ``version`` (specifier ``==version``)."""
    return Dependency(name=name, version=version, specifier=f"=={version}", **kwargs)
