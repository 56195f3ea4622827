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
from tracker.files import FileRefused, read_file, size_text
from tracker.models import Dependency
from tracker.names import is_valid_name, normalize_name

__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_MARKER_DEPTH",
    "MAX_VERSION_CHARS",
    "STDIN",
    "RequirementSource",
    "TomlLines",
    "TooLarge",
    "check_dependency",
    "check_markers",
    "display_path",
    "load_json",
    "load_toml",
    "read_project_name",
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
#: The deepest nesting of parentheses accepted in markers (real ones nest 2 or 3 deep).
MAX_MARKER_DEPTH = 100


class TooLarge(InputError):
    """An input is larger than the limit it was read with."""


def too_large(path: str, limit: int = MAX_INPUT_BYTES) -> InputError:
    """The error for an input over ``limit`` bytes."""
    return TooLarge(path, f"larger than the {size_text(limit)} limit")


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

    A file is read through :func:`tracker.files.read_file`: a device, a FIFO, a
    directory or a file over ``limit`` is refused before any of it is read. Standard
    input is read up to ``limit + 1`` bytes, so a pipe that never ends is refused,
    not read until memory runs out.
    """
    shown = display_path(path)
    if str(path) != STDIN:
        try:
            return read_file(path, limit)
        except FileRefused as exc:
            if exc.too_large:
                raise too_large(shown, limit) from None
            raise InputError(shown, exc.reason) from None
    try:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is not None:
            data: bytes = stream.read(limit + 1)
        else:
            data = sys.stdin.read(limit + 1).encode("utf-8", "surrogateescape")
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
    except ValueError:  # int() past sys.get_int_max_str_digits(), not a syntax error
        raise _huge_number(path, text, "TOML") from None


def _huge_number(path: str, text: str, kind: str) -> InputError:
    """The error for a number of more digits than ``int()`` converts (4,300 by default),
    on the line of the first such run of digits."""
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300
    match = re.search(rf"[0-9_]{{{limit + 1},}}", text)
    line = text.count("\n", 0, match.start()) + 1 if match else None
    return InputError(path, f"invalid {kind}: a number of more than {limit} digits", line=line)


def load_json(path: str, text: str) -> Any:
    """Parse JSON text, turning every failure into an InputError naming the line or key.

    Besides syntax errors: nesting deeper than the interpreter allows, a number of
    more digits than ``int()`` converts, and a lone surrogate (``"\\ud800"``), which
    no UTF-8 output could write (it is refused here, not half-way through a report).
    """
    import json

    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise InputError(path, "invalid JSON: nested too deeply") from None
    except ValueError:
        raise _huge_number(path, text, "JSON") from None
    if "\\u" in text:  # only an escape makes a surrogate: valid UTF-8 text holds none
        _refuse_surrogates(path, document)
    return document


def _refuse_surrogates(path: str, document: Any) -> None:
    """InputError naming the key of the first string (or key) holding a lone surrogate."""
    stack: list[tuple[str, Any]] = [("top level", document)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, str):
            items: list[tuple[str, Any]] = []
            strings = [value]
        elif isinstance(value, dict):
            items = [(f"{key}.{k}" if key != "top level" else str(k), v) for k, v in value.items()]
            strings = list(value)
        elif isinstance(value, list):
            items = [(f"{key}[{i}]", v) for i, v in enumerate(value)]
            strings = []
        else:
            continue
        for text in strings:
            if not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    where = key if isinstance(value, str) else f"{key} (a key)"
                    raise InputError(
                        path, f"{where}: a lone surrogate (\\u escape): not text"
                    ) from None
        stack.extend(reversed(items))


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


def check_markers(path: str, markers: str, *, what: str, line: int | None = None) -> None:
    """Refuse markers whose parentheses nest deeper than :data:`MAX_MARKER_DEPTH`.

    ``packaging`` refuses more than 200 levels in a requirement; a lockfile's
    markers are not parsed by it, and evaluating them recurses once per level.
    """
    if markers.count("(") <= MAX_MARKER_DEPTH:
        return
    depth = deepest = 0
    for char in markers:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    if deepest > MAX_MARKER_DEPTH:
        raise InputError(
            path, f"{what}: markers nested deeper than {MAX_MARKER_DEPTH} levels", line=line
        )


def check_dependency(path: str, dep: Dependency, line: int | None = None) -> Dependency:
    """``dep`` once its version and specifier versions are of a sane length, and its
    markers of a sane depth."""
    if dep.version is not None:
        check_version(path, dep.version, what=dep.name, line=line)
    if len(dep.specifier) > MAX_VERSION_CHARS:
        for clause in dep.specifier.split(","):
            check_version(path, clause.lstrip("<>=!~ "), what=dep.name, line=line)
    if len(dep.markers) > MAX_MARKER_DEPTH:
        check_markers(path, dep.markers, what=dep.name, line=line)
    return dep


def read_project_name(path: str, raw: object, *, key: str, line: int | None = None) -> str:
    """A project name read from ``key`` of input ``path``: validated (an :class:`InputError`
    naming the key otherwise) and normalized (:func:`tracker.names.normalize_name`)."""
    if not isinstance(raw, str) or not is_valid_name(raw):
        raise InputError(path, f"{key}: invalid project name {raw!r}", line=line)
    return normalize_name(raw)


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
