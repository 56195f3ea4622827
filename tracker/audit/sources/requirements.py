"""``requirements.txt`` (pip's format, as written by hand or by pip-compile).

Handles nested ``-r``/``--requirement`` files, ``-c``/``--constraint`` files
(a constraint pins a requirement named elsewhere; it adds no dependency of
its own), ``--hash`` options, environment markers, extras, backslash line
continuations and comments. Editable installs, URLs and local paths cannot be
judged from an index and are yielded with ``skipped_reason`` set.

>>> deps = list(RequirementsSource.from_text("r.txt", "numpy==2.4.6 ; python_version>'3'\\n"))
>>> deps[0].name, deps[0].version, deps[0].markers, deps[0].origin
('numpy', '2.4.6', 'python_version > "3"', 'r.txt:1')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from msgspec.structs import replace
from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import VERSION_PATTERN

from tracker.audit.sources.interface import (
    MAX_INPUT_BYTES,
    STDIN,
    TooLarge,
    check_version,
    decode_text,
    display_path,
    origin,
    read_bytes,
)
from tracker.audit.sources.redact import redact, redacted
from tracker.errors import InputError
from tracker.excerpt import requirement_problem
from tracker.files import FileRefused, resolve_path
from tracker.models import Dependency
from tracker.names import normalize_name

__all__ = [
    "MAX_FILES",
    "RequirementsSource",
    "parse_requirement",
    "parse_with_packaging",
    "wheel_in_url",
]

_MAX_DEPTH = 20
#: At most this many distinct requirement files are read for one audit, each once.
MAX_FILES = 100
#: Said instead of the text of a line from a file outside the project directory.
_HIDDEN = "(line not shown: the file is outside the project directory)"
# Options that take a value and do not name a requirement.
_VALUE_OPTIONS = {
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--use-feature",
    "--only-binary",
    "--no-binary",
    "--config-settings",
    "--global-option",
    "--hash",
}
_FLAG_OPTIONS = {"--no-index", "--pre", "--prefer-binary", "--require-hashes"}
_URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://|^[a-z+]+:", re.IGNORECASE)
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz")
_COMMENT_RE = re.compile(r"(^|\s)#.*$")
_HASH_RE = re.compile(r"\s--hash(?:=|\s+)\S+")
_INCLUDE_RE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?<=-[rc]))(\S+)$")
_EDITABLE_RE = re.compile(r"^(?:-e|--editable)(?:\s*=\s*|\s+|(?=[^-\s]))(.+)$")
# The common line, ``name[extras]==version ; marker``, read without packaging's parser.
_PIN_RE = re.compile(
    r"^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)[ \t]*"
    r"(?:\[[ \t]*(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
    r"(?:[ \t]*,[ \t]*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)*)?[ \t]*\][ \t]*)?"
    r"==[ \t]*(?P<version>[0-9][^\s;,*()\[\]<>=!~'\"]*)[ \t]*(?:;(?P<marker>.*))?$"
)
_VERSION_RE = re.compile(r"^" + VERSION_PATTERN + r"$", re.VERBOSE | re.IGNORECASE)


@dataclass
class _Walk:
    """State of one read of a file and its includes: constraints found and the budget spent."""

    constraints: dict[str, Dependency] = field(default_factory=dict)
    done: set[tuple[str, bool]] = field(default_factory=set)
    files: int = 0
    size: int = 0

    def read(self, path: str) -> str:
        """The text of one more file, within :data:`MAX_FILES` and MAX_INPUT_BYTES in all."""
        shown = display_path(path)
        self.files += 1
        if self.files > MAX_FILES:
            raise InputError(shown, f"more than {MAX_FILES} requirement files included in all")
        left = MAX_INPUT_BYTES - self.size
        try:
            data = read_bytes(path, left)
        except TooLarge:
            if self.size == 0:
                raise
            raise InputError(
                shown, f"requirement files larger than the {MAX_INPUT_BYTES >> 20} MiB limit in all"
            ) from None
        self.size += len(data)
        return decode_text(path, data)


def _resolved(shown: str, path: str | Path) -> Path:
    """``path`` resolved, or an InputError naming ``shown`` (a symlink loop)."""
    try:
        return resolve_path(path)
    except FileRefused as exc:
        raise InputError(shown, exc.reason) from None


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


def _logical_lines(text: str) -> Iterator[_Line]:
    """Join continuations, drop comments; yield (first line number, text)."""
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        # A comment starts at '#' preceded by whitespace or at the line start.
        line = _COMMENT_RE.sub("", raw) if "#" in raw else raw
        if line.endswith("\\"):
            buffer.append(line[:-1])
            continue
        buffer.append(line)
        joined = " ".join(part.strip() for part in buffer).strip()
        buffer = []
        if joined:
            yield _Line(start, joined)
    if buffer:
        joined = " ".join(part.strip() for part in buffer).strip()
        if joined:
            yield _Line(start, joined)


def _split_hashes(text: str) -> str:
    """Remove ``--hash=...`` options (they follow the requirement on the same line)."""
    if "--hash" not in text:
        return text
    return _HASH_RE.sub("", " " + text).strip()


class RequirementsSource:
    """Dependencies from a pip requirements file and the files it includes."""

    format_name = "requirements"

    def __init__(self, path: str, *, text: str | None = None) -> None:
        self.path = path
        self._text = text
        top = Path.cwd() if path == STDIN else Path(path).parent
        #: Lines of files outside this directory are never quoted in errors.
        self.project_dir = _resolved(display_path(path), top)

    @classmethod
    def from_text(cls, path: str, text: str) -> RequirementsSource:
        """A source over ``text`` that reports ``path`` in origins."""
        return cls(path, text=text)

    def __iter__(self) -> Iterator[Dependency]:
        return redacted(self._dependencies())

    def _private(self, path: str) -> bool:
        """Whether ``path`` lies outside the project directory (its lines are not quoted)."""
        if path == STDIN:
            return False
        return not _resolved(display_path(path), path).is_relative_to(self.project_dir)

    def _dependencies(self) -> Iterator[Dependency]:
        walk = _Walk()
        deps = list(self._read(self.path, self._text, walk, depth=0, seen=()))
        for dep in deps:
            pin = walk.constraints.get(dep.name)
            if pin is not None and dep.version is None and not dep.skipped_reason:
                yield replace(dep, version=pin.version, specifier=pin.specifier)
            else:
                yield dep

    def _read(
        self,
        path: str,
        text: str | None,
        walk: _Walk,
        *,
        depth: int,
        seen: tuple[str, ...],
        constraint_file: bool = False,
    ) -> Iterator[Dependency]:
        shown = display_path(path)
        if depth > _MAX_DEPTH:
            raise InputError(shown, f"requirement files nested deeper than {_MAX_DEPTH}")
        private = depth > 0 and self._private(path)
        if text is None:
            text = walk.read(path)
        for line in _logical_lines(text):
            yield from self._line(path, shown, line, walk, depth, seen, constraint_file, private)

    def _include(self, path: str, shown: str, line: _Line, target: str) -> str:
        if path == STDIN:
            return target
        return str(Path(path).parent / target) if not Path(target).is_absolute() else target

    def _line(
        self,
        path: str,
        shown: str,
        line: _Line,
        walk: _Walk,
        depth: int,
        seen: tuple[str, ...],
        constraint_file: bool,
        private: bool,
    ) -> Iterator[Dependency]:
        text = line.text
        where = origin(shown, line.number)
        include = _INCLUDE_RE.match(text) if text.startswith("-") else None
        if include:
            option, target = include.groups()
            nested = self._include(path, shown, line, target)
            quoted = _HIDDEN if private else f"{option} {target}"
            key = STDIN
            if nested != STDIN:
                try:
                    key = str(resolve_path(nested))
                except FileRefused as exc:
                    raise InputError(shown, f"{quoted}: {exc.reason}", line=line.number) from None
            if key in seen:
                raise InputError(shown, f"{quoted}: includes itself", line=line.number)
            is_constraint = option in ("-c", "--constraint") or constraint_file
            if (key, is_constraint) in walk.done:
                return  # read once: its dependencies are already listed
            try:
                children = list(
                    self._read(
                        nested,
                        None,
                        walk,
                        depth=depth + 1,
                        seen=(*seen, key),
                        constraint_file=is_constraint,
                    )
                )
            except InputError as exc:
                if exc.path == nested and exc.line is None:
                    reason = str(exc).removeprefix(f"{exc.path}: ")
                    raise InputError(shown, f"{quoted}: {reason}", line=line.number) from None
                raise
            walk.done.add((key, is_constraint))
            yield from children
            return
        editable = _EDITABLE_RE.match(text) if text.startswith("-") else None
        if editable:
            yield _skipped(editable.group(1).strip(), where, "editable install", private=private)
            return
        if text.startswith("-"):
            option = re.split(r"[\s=]", text, maxsplit=1)[0]
            if option in _VALUE_OPTIONS or option in _FLAG_OPTIONS:
                return
            shown_option = _HIDDEN if private else repr(option)
            raise InputError(shown, f"unknown option {shown_option}", line=line.number)
        requirement_text = _split_hashes(text)
        if requirement_text.startswith("-"):
            quoted = _HIDDEN if private else repr(text)
            raise InputError(shown, f"unexpected option in {quoted}", line=line.number)
        dep = parse_requirement(shown, line.number, requirement_text, where, private=private)
        if constraint_file:
            if dep.version is not None and not dep.skipped_reason:
                walk.constraints.setdefault(dep.name, dep)
            return
        yield dep


def _looks_like_path(text: str) -> bool:
    head = text.split(";")[0].strip()
    if head.startswith((".", "/", "~")) or head.startswith("file:"):
        return True
    if "@" in head or "://" in head:
        return False
    return head.endswith(_ARCHIVE_SUFFIXES)


def _skipped(target: str, where: str, reason: str, *, private: bool = False) -> Dependency:
    """A dependency that cannot be judged, named from ``#egg=`` when possible.

    ``private``: the line comes from a file outside the project; the entry names
    the file and line (its origin) and the egg name, never the line's text.
    """
    name_match = re.search(r"#egg=([A-Za-z0-9._-]+)", target)
    if private:
        name = normalize_name(name_match.group(1)) if name_match else "(not shown)"
        return Dependency(name=name, origin=where, skipped_reason=f"{reason} {_HIDDEN}")
    name = normalize_name(name_match.group(1)) if name_match else target
    return Dependency(name=name, origin=where, skipped_reason=f"{reason}: {target}")


def parse_requirement(
    shown: str, number: int | None, text: str, where: str, *, private: bool = False
) -> Dependency:
    """One PEP 508 requirement (or a URL/path line, yielded as skipped).

    ``private``: the line comes from a file outside the project, so an error
    names the file and line but does not quote the line.
    """
    fast = simple_pin(shown, number, text, where)
    if fast is not None:
        return fast
    return parse_with_packaging(shown, number, text, where, private=private)


def parse_with_packaging(
    shown: str, number: int | None, text: str, where: str, *, private: bool = False
) -> Dependency:
    """:func:`parse_requirement` without the fast path for plain pins."""
    if _URL_RE.match(text):
        return _url_line(shown, number, text, where, private=private)
    if _looks_like_path(text):
        return _skipped(text, where, "local path", private=private)
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        if private:
            raise InputError(shown, f"invalid requirement {_HIDDEN}", line=number) from None
        raise InputError(shown, requirement_problem(text, exc), line=number) from None
    name = normalize_name(requirement.name)
    markers = str(requirement.marker) if requirement.marker else ""
    if requirement.url:
        wheel = file_in_url(requirement.url)
        if wheel is not None and wheel[0] == name:
            check_version(shown, wheel[1], what=name, line=number)
            return _direct(requirement.url, wheel, markers, where, private=private)
        quoted = f" {_HIDDEN}" if private else f": {requirement.url}"
        return Dependency(
            name=name,
            markers=markers,
            origin=where,
            skipped_reason=f"URL requirement{quoted}",
        )
    specs = list(requirement.specifier)
    for spec in specs:
        check_version(shown, spec.version, what=name, line=number)
    try:
        specifier = str(requirement.specifier)
    except ValueError as exc:  # packaging >= 26 parses every clause's version here
        raise InputError(shown, f"{name}: invalid specifier: {exc}", line=number) from None
    version = None
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        version = specs[0].version
    return Dependency(
        name=name, version=version, specifier=specifier, markers=markers, origin=where
    )


@functools.lru_cache(maxsize=4096)
def _normalized_marker(text: str) -> str | None:
    """A marker as packaging prints it, or None when it does not parse."""
    try:
        return str(Marker(text))
    except InvalidMarker:
        return None


def simple_pin(shown: str, number: int | None, text: str, where: str) -> Dependency | None:
    """``name[extras]==version ; marker`` without packaging's parser (None: not that shape).

    Gives the same Dependency as the full parser (a test compares them); the
    markers of a file are few, so their normal form is cached.
    """
    match = _PIN_RE.match(text)
    if match is None or _VERSION_RE.match(match["version"]) is None:
        return None
    markers = ""
    if match["marker"] is not None:
        normalized = _normalized_marker(match["marker"].strip())
        if not normalized:
            return None
        markers = normalized
    name, version = normalize_name(match["name"]), match["version"]
    check_version(shown, version, what=name, line=number)
    return Dependency(
        name=name, version=version, specifier=f"=={version}", markers=markers, origin=where
    )


def _url_line(
    shown: str, number: int | None, text: str, where: str, *, private: bool = False
) -> Dependency:
    """A bare URL line: audited at the name and version of the wheel it names, else skipped."""
    url, marker = text, ""
    split = re.search(r"\s;", text)
    if split:
        url, marker = text[: split.start()], text[split.end() :].strip()
    markers = _normalized_marker(marker) if marker else ""
    wheel = file_in_url(url.strip())
    if wheel is None or markers is None:
        return _skipped(text, where, "URL requirement", private=private)
    check_version(shown, wheel[1], what=wheel[0], line=number)
    return _direct(url.strip(), wheel, markers, where, private=private)


def _direct(
    url: str, found: tuple[str, str, str], markers: str, where: str, *, private: bool = False
) -> Dependency:
    """A direct reference to one file: judged from that file's name alone (a file outside
    the project is named by that file name, never by its URL)."""
    name, version, filename = found
    return Dependency(
        name=name,
        version=version,
        specifier=f"=={version}",
        markers=markers,
        origin=where,
        files=(filename,),
        direct_url=filename if private else redact(url),
    )


def wheel_in_url(url: str) -> tuple[str, str] | None:
    """(normalized name, version) of the wheel a URL points to, or None if it is no wheel.

    >>> wheel_in_url("https://host.example/whl/torch-1.7.0%2Bcpu-cp37-cp37m-linux_x86_64.whl")
    ('torch', '1.7.0+cpu')
    >>> wheel_in_url("https://host.example/foo-1.0.tar.gz") is None
    True
    """
    found = file_in_url(url)
    if found is None or not found[2].endswith(".whl"):
        return None
    return found[0], found[1]


def file_in_url(url: str) -> tuple[str, str, str] | None:
    """(normalized name, version, file name) of the wheel or sdist a URL points to, or
    None when its last part is neither (read with the crawler's own rules).

    >>> file_in_url("https://host.example/foo-1.0.tar.gz")
    ('foo', '1.0', 'foo-1.0.tar.gz')
    """
    from urllib.parse import unquote, urlsplit

    from tracker.wheels import classify_file

    try:
        filename = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    except ValueError:  # a "[" or "]" in the host part ("Invalid IPv6 URL"): no file named
        return None
    tags = classify_file(filename)
    if tags.kind not in ("wheel", "sdist") or tags.project is None or tags.version is None:
        return None
    return normalize_name(tags.project), tags.version, filename
