"""Parse simple-API project pages: PEP 691 JSON, and PEP 503 HTML as fallback.

Both forms become the same :class:`~tracker.index.interface.ProjectPage`.
Anything malformed raises :class:`tracker.errors.IndexUnavailable` naming the
project; optional fields that are merely odd (an unparseable upload time)
become ``None`` rather than failing the page.

>>> page = parse_json_page(
...     b'{"meta": {"_last-serial": "7"}, "name": "Six", "versions": ["1.0"],'
...     b' "files": [{"filename": "six-1.0.tar.gz", "url": "six-1.0.tar.gz", "hashes": {}}]}',
...     name="six", page_url="http://index.invalid/simple/six/")
>>> page.last_serial, page.files[0].url
(7, 'http://index.invalid/simple/six/six-1.0.tar.gz')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin

from packaging.utils import canonicalize_name
from packaging.version import Version

from tracker.errors import IndexUnavailable
from tracker.index.interface import IndexFile, ProjectPage

__all__ = [
    "check_filename",
    "has_control_character",
    "parse_html_page",
    "parse_json_page",
    "parse_serial",
    "sort_versions",
]

#: Serials are stored as 64-bit integers; anything larger is not a serial.
_SERIAL_MAX = 2**63 - 1
#: A run of digits Python refuses to turn into an int (its integer string limit).
_HUGE_NUMBER = re.compile(r"\d{4301,}")
#: Control characters (NUL among them): PostgreSQL refuses NUL in text, nobody names files so.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_filename(filename: str, name: str) -> str:
    """``filename`` if it can be stored and parsed, else :class:`IndexUnavailable`
    naming the project.

    >>> check_filename("six-1.0.tar.gz", "six")
    'six-1.0.tar.gz'
    >>> check_filename("six-1.0\\x00.tar.gz", "six")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tracker.errors.IndexUnavailable: project 'six': a file name contains a control character: ...
    """
    if _CONTROL.search(filename):
        raise IndexUnavailable(
            f"project {name!r}: a file name contains a control character: {_short(filename)}"
        )
    if _HUGE_NUMBER.search(filename):
        raise IndexUnavailable(
            f"project {name!r}: a file name holds a number of more than 4,300 digits: "
            f"{_short(filename)}"
        )
    return filename


def has_control_character(text: str) -> bool:
    """True when ``text`` holds a control character (NUL, newline, escape, ...)."""
    return _CONTROL.search(text) is not None


def _short(text: str, limit: int = 80) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def parse_serial(value: object) -> int | None:
    """An index serial from JSON or a header: ints and digit strings; else ``None``.

    >>> parse_serial("26356948"), parse_serial(5), parse_serial("x"), parse_serial(True)
    (26356948, 5, None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= _SERIAL_MAX else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        digits = value.strip()
        return int(digits) if len(digits) <= 19 and int(digits) <= _SERIAL_MAX else None
    return None


def sort_versions(versions: Iterable[str]) -> tuple[str, ...]:
    """Unique versions, oldest first in PEP 440 order; unparseable ones first, as given."""
    bad: list[str] = []
    good: list[tuple[Version, str]] = []
    seen: set[str] = set()
    for version in versions:
        if version in seen:
            continue
        seen.add(version)
        try:
            good.append((Version(version), version))
        except ValueError:  # InvalidVersion, or a number too long to be an int
            bad.append(version)
    return (*bad, *(v for _, v in sorted(good)))


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _hash_pairs(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not value:
        return ()
    if len(value) == 1:  # the common case: sha256 only
        [(algorithm, digest)] = value.items()
        return ((str(algorithm), digest),) if isinstance(digest, str) else ()
    return tuple(sorted((str(k), v) for k, v in value.items() if isinstance(v, str)))


def _yanked(value: object) -> bool | str:
    if isinstance(value, str):
        return value or True
    return bool(value)


def _metadata_offer(value: object) -> tuple[bool, tuple[tuple[str, str], ...]]:
    """PEP 691/714 ``core-metadata``: ``true``, or a hashes mapping, or absent/false."""
    if isinstance(value, dict):
        return True, _hash_pairs(value)
    return value is True, ()


def _json_file(raw: object, page_url: str, name: str) -> IndexFile:
    if not isinstance(raw, dict):
        raise IndexUnavailable(f"project {name!r}: file entry is not an object")
    filename, url = raw.get("filename"), raw.get("url")
    if not isinstance(filename, str) or not isinstance(url, str):
        raise IndexUnavailable(f"project {name!r}: file entry without filename or url")
    offered = raw.get("core-metadata", raw.get("dist-info-metadata", False))
    has_metadata, metadata_hashes = _metadata_offer(offered)
    size = raw.get("size")
    requires_python = raw.get("requires-python")
    return IndexFile(
        filename=check_filename(filename, name),
        url=url if url.startswith(("https://", "http://")) else urljoin(page_url, url),
        size=size if _is_size(size) else None,
        upload_time=_parse_time(raw.get("upload-time")),
        yanked=_yanked(raw.get("yanked", False)),
        requires_python=requires_python if isinstance(requires_python, str) else None,
        has_metadata=has_metadata,
        hashes=_hash_pairs(raw.get("hashes")),
        metadata_hashes=metadata_hashes,
        project=canonicalize_name(name),
    )


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _SERIAL_MAX


def _versions_from(files: Iterable[IndexFile]) -> tuple[str, ...]:
    return sort_versions(v for v in (f.version for f in files) if v is not None)


def parse_json_page(
    body: bytes,
    *,
    name: str,
    page_url: str,
    serial_header: str | None = None,
    etag: str | None = None,
) -> ProjectPage:
    """Parse a PEP 691 JSON project page (with PEP 700 fields when present)."""
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexUnavailable(
            f"project {name!r}: malformed or truncated JSON from the index ({exc})"
        ) from None
    if not isinstance(data, dict):
        raise IndexUnavailable(f"project {name!r}: JSON page is not an object")
    raw_files = data.get("files")
    if not isinstance(raw_files, list):
        raise IndexUnavailable(f"project {name!r}: JSON page has no 'files' list")
    files = tuple(_json_file(raw, page_url, name) for raw in raw_files)
    raw_meta = data.get("meta")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    serial = parse_serial(meta.get("_last-serial"))
    if serial is None:
        serial = parse_serial(serial_header)
    raw_versions = data.get("versions")
    if isinstance(raw_versions, list) and all(isinstance(v, str) for v in raw_versions):
        versions = sort_versions(raw_versions)
    else:
        versions = _versions_from(files)
    api_version = meta.get("api-version")
    page_name = data.get("name")
    canonical = canonicalize_name(name)
    if isinstance(page_name, str) and canonicalize_name(page_name) != canonical:
        raise IndexUnavailable(
            f"project {name!r}: the index answered the page of {_short(page_name)}"
        )
    return ProjectPage(
        name=canonical,
        last_serial=serial,
        versions=versions,
        files=files,
        etag=etag,
        api_version=api_version if isinstance(api_version, str) else None,
    )


class _AnchorCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self.meta: dict[str, str] = {}
        self._current: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._current = dict(attrs)
            self._text = []
        elif tag == "meta":
            values = dict(attrs)
            if values.get("name") and values.get("content") is not None:
                self.meta[str(values["name"])] = str(values["content"])

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._current is not None:
            self.anchors.append((self._current, "".join(self._text).strip()))
            self._current = None


def _html_metadata_offer(
    attrs: Mapping[str, str | None],
) -> tuple[bool, tuple[tuple[str, str], ...]]:
    for key in ("data-core-metadata", "data-dist-info-metadata"):
        if key in attrs:
            value = attrs[key] or "true"
            if value == "true":
                return True, ()
            algorithm, sep, digest = value.partition("=")
            return True, ((algorithm, digest),) if sep else ()
    return False, ()


def _html_file(
    attrs: Mapping[str, str | None], text: str, page_url: str, name: str
) -> IndexFile | None:
    href = attrs.get("href")
    if not href:
        return None
    url, fragment = urldefrag(urljoin(page_url, href))
    filename = url.rsplit("/", 1)[-1] or text
    algorithm, sep, digest = fragment.partition("=")
    hashes = ((algorithm, digest),) if sep and digest else ()
    yanked: bool | str = False
    if "data-yanked" in attrs:
        yanked = attrs["data-yanked"] or True
    has_metadata, metadata_hashes = _html_metadata_offer(attrs)
    return IndexFile(
        filename=check_filename(text if text and "/" not in text else filename, name),
        url=url,
        yanked=yanked,
        requires_python=attrs.get("data-requires-python") or None,
        has_metadata=has_metadata,
        hashes=hashes,
        metadata_hashes=metadata_hashes,
        project=canonicalize_name(name),
    )


def parse_html_page(
    body: bytes,
    *,
    name: str,
    page_url: str,
    serial_header: str | None = None,
    etag: str | None = None,
) -> ProjectPage:
    """Parse a PEP 503 HTML project page (with PEP 592/658/714 attributes).

    HTML pages carry no sizes, upload times or version list: versions are
    taken from the filenames; the serial only from the ``X-PyPI-Last-Serial`` header.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IndexUnavailable(f"project {name!r}: HTML page is not UTF-8 ({exc})") from None
    collector = _AnchorCollector()
    collector.feed(text)
    collector.close()
    files = tuple(
        file
        for attrs, anchor_text in collector.anchors
        if (file := _html_file(attrs, anchor_text, page_url, name)) is not None
    )
    if not files and "<a" not in text.lower() and "<html" not in text.lower():
        raise IndexUnavailable(f"project {name!r}: the index answered something that is not a page")
    return ProjectPage(
        name=canonicalize_name(name),
        last_serial=parse_serial(serial_header),
        versions=_versions_from(files),
        files=files,
        etag=etag,
        api_version=collector.meta.get("pypi:repository-version"),
    )
