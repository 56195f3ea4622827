"""Verdicts from a feed file: plain or gzip JSON, the shipped ``data/snapshot.json.gz``.

Loading is lazy: the file is decompressed once, each project's document is
located by a light byte scan, and a document is parsed only when asked for.
That keeps ``fttrack audit`` fast on a snapshot of thousands of projects. If
the scan cannot vouch for the layout, the whole file is parsed instead: same
answers, just slower.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from pathlib import Path

from tracker.errors import SourceError
from tracker.verdicts.interface import ProjectDoc

try:  # a faster parser when installed; the standard one otherwise
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - depends on the environment
    from json import loads as _loads  # type: ignore[assignment]

__all__ = ["SnapshotSource", "default_snapshot_path", "member_index_path"]

_GZIP_MAGIC = b"\x1f\x8b"
_KEY = b'"display_name"'
_HEAD = re.compile(rb'\{\s*"name"\s*:\s*"([^"\\]*)"\s*,\s*')
_TARGETS = re.compile(rb'"targets"\s*:\s*(\[[^\]\[{}]*\])')
_GENERATED = re.compile(rb'"generated"\s*:\s*("[^"\\]*"|null)')
_SCHEMA = re.compile(rb'^\s*\{[^\[]*?"schema"\s*:\s*(\d+)')
_EMPTY = re.compile(rb'"projects"\s*:\s*\[\s*\]')
_LOOKBACK = 1024


def default_snapshot_path() -> Path:
    """Where the shipped snapshot is: ``$FTTRACK_SNAPSHOT``, else ``data/snapshot.json.gz``
    of the source tree, else the installed copy (``<prefix>/share/fttrack``)."""
    explicit = os.environ.get("FTTRACK_SNAPSHOT")
    if explicit:
        return Path(explicit).expanduser()
    from tracker.datafiles import data_file

    return data_file("snapshot.json.gz")


class SnapshotSource:
    """Project documents from a feed file (JSON or gzip JSON)."""

    kind = "snapshot"

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_snapshot_path()
        self._data: bytes | None = None
        self._offsets: dict[str, tuple[int, int]] = {}
        self._docs: dict[str, ProjectDoc] = {}
        self._targets: tuple[str, ...] = ()
        self._generated: str | None = None
        self._members: dict[str, tuple[int, int]] | None = None

    # -- loading -------------------------------------------------------------------------

    def _fail(self, message: str) -> SourceError:
        return SourceError(f"snapshot {self.path}: {message}")

    def _load(self) -> bytes:
        if self._data is not None:
            return self._data
        if self._members is None and self._load_member_index():
            self._data = b""
            return self._data
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raise SourceError(
                f"no snapshot at {self.path}: pass --snapshot PATH, set FTTRACK_SNAPSHOT, "
                "or use --server URL / --db URL"
            ) from None
        except OSError as exc:
            raise self._fail(f"cannot read: {exc.strerror or exc}") from None
        if raw.startswith(_GZIP_MAGIC):
            try:
                raw = gzip.decompress(raw)  # every member: the snapshot is one member per project
            except (OSError, EOFError, zlib.error) as exc:
                raise self._fail(f"corrupt gzip data ({exc})") from None
        self._data = raw
        if not self._index_fast(raw):
            self._index_full(raw)
        return raw

    def _load_member_index(self) -> bool:
        """Use the snapshot's member index (``*.index.json``) when it matches the file.

        The snapshot is written as one gzip member per project (see
        :func:`tracker.snapshot.write_snapshot`); the index gives each member's
        offset and length, so one project is read by decompressing a few KB.
        """
        index_path = member_index_path(self.path)
        try:
            index = json.loads(index_path.read_text())
            if index.get("size") != self.path.stat().st_size:
                return False  # stale: the snapshot was replaced after the index was written
            header_at = index["header"]
            members = {str(k): (int(v[0]), int(v[1])) for k, v in index["projects"].items()}
            with self.path.open("rb") as handle:
                handle.seek(int(header_at[0]))
                header = json.loads(_member_text(handle.read(int(header_at[1]))) + "]}")
        except (OSError, ValueError, KeyError, TypeError, IndexError, zlib.error):
            return False
        self._targets = tuple(str(t) for t in header.get("targets", ()))
        generated = header.get("generated")
        self._generated = generated if isinstance(generated, str) else None
        self._members = members
        return True

    def _read_member(self, name: str) -> str | None:
        """The text of ``name``'s member (its leading comma removed), or None."""
        assert self._members is not None
        span = self._members.get(name)
        if span is None:
            return None
        try:
            with self.path.open("rb") as handle:
                handle.seek(span[0])
                return _member_text(handle.read(span[1])).lstrip(",")
        except (OSError, zlib.error, UnicodeDecodeError) as exc:
            raise self._fail(f"project {name!r}: malformed member ({exc})") from None

    def _member_document(self, name: str) -> ProjectDoc | None:
        text = self._read_member(name)
        if text is None:
            return None
        try:
            document = _loads(text)
        except ValueError as exc:
            raise self._fail(f"project {name!r}: malformed member ({exc})") from None
        if not isinstance(document, dict) or document.get("name") != name:
            raise self._fail(f"project {name!r}: malformed member")
        return document

    def _index_fast(self, data: bytes) -> bool:
        """Find each project document's start without parsing; False if unsure."""
        schema = _SCHEMA.match(data)
        targets = _TARGETS.search(data)
        if schema is None or targets is None or int(schema.group(1)) != 1:
            return False
        starts: list[tuple[str, int]] = []
        position = data.find(_KEY)
        while position != -1:
            brace = data.rfind(b"{", max(0, position - _LOOKBACK), position)
            head = _HEAD.fullmatch(data, brace, position) if brace != -1 else None
            if head is None:
                return False
            starts.append((head.group(1).decode("utf-8", "replace"), brace))
            position = data.find(_KEY, position + len(_KEY))
        if not starts and not _EMPTY.search(data):
            return False
        if data.count(b'"releases"') != len(starts):
            return False
        try:
            target_list = json.loads(targets.group(1))
            generated = _GENERATED.search(data)
            self._generated = json.loads(generated.group(1)) if generated else None
        except ValueError:
            return False
        if not all(isinstance(t, str) for t in target_list):
            return False
        self._targets = tuple(target_list)
        ends = [start for _, start in starts[1:]] + ([len(data)] if starts else [])
        for (name, start), end in zip(starts, ends, strict=True):
            self._offsets.setdefault(name, (start, end))
        return True

    def _index_full(self, data: bytes) -> None:
        try:
            document = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise self._fail(f"not a feed file (invalid JSON: {exc})") from None
        if not isinstance(document, dict) or document.get("schema") != 1:
            raise self._fail('not a feed file (expected an object with "schema": 1)')
        projects = document.get("projects")
        targets = document.get("targets")
        if not isinstance(projects, list) or not isinstance(targets, list):
            raise self._fail('not a feed file (missing "projects" or "targets" arrays)')
        self._targets = tuple(str(t) for t in targets)
        generated = document.get("generated")
        self._generated = generated if isinstance(generated, str) else None
        for index, project in enumerate(projects):
            if not isinstance(project, dict) or not isinstance(project.get("name"), str):
                raise self._fail(f'projects[{index}]: expected an object with a "name"')
            self._docs.setdefault(project["name"], project)

    # -- the VerdictSource interface -----------------------------------------------------

    def project(self, name: str) -> ProjectDoc | None:
        """The document of ``name``, parsed on first use; None if not in the snapshot."""
        data = self._load()
        if name in self._docs:
            return self._docs[name]
        if self._members is not None:
            member = self._member_document(name)
            if member is not None:
                self._docs[name] = member
            return member
        span = self._offsets.get(name)
        if span is None:
            return None
        start, end = span
        try:
            document, _ = json.JSONDecoder().raw_decode(data[start:end].decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise self._fail(f"project {name!r}: malformed document ({exc})") from None
        if not isinstance(document, dict) or document.get("name") != name:
            raise self._fail(f"project {name!r}: malformed document")
        self._docs[name] = document
        return document

    def project_down_to(self, name: str, version: str) -> ProjectDoc | None:
        """``name``'s document with its releases only down to ``version`` (newest first).

        Enough to judge a pinned dependency (the pin and every newer release),
        without parsing a long history. Falls back to the whole document when
        the pin is not found where releases start, or the snapshot has no
        member index.
        """
        self._load()
        if name in self._docs or self._members is None:
            return self.project(name)
        text = self._read_member(name)
        if text is None:
            return None
        partial = _releases_down_to(text, version)
        if partial is None:
            return self.project(name)
        return partial

    def names(self) -> list[str]:
        """Every project name in the snapshot, in file order."""
        self._load()
        if self._members is not None:
            return list(self._members)
        return list(dict.fromkeys([*self._offsets, *self._docs]))

    def targets(self) -> tuple[str, ...]:
        """The feed's ``targets``."""
        self._load()
        return self._targets

    def describe(self) -> str:
        """``snapshot PATH (N projects, generated DATE)``."""
        self._load()
        count = len(self.names())
        when = f", generated {self._generated}" if self._generated else ""
        try:
            shown = self.path.resolve().relative_to(Path.cwd())
        except ValueError:
            shown = self.path
        return f"snapshot {shown} ({count} projects{when})"


def member_index_path(snapshot: Path) -> Path:
    """The member index beside a snapshot: ``snapshot.json.gz`` → ``snapshot.index.json``."""
    name = snapshot.name
    for suffix in (".json.gz", ".gz", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return snapshot.with_name(name + ".index.json")


_RELEASES = '"releases":['
_RELEASE_START = '{"version":'
_TAIL = '],"first_ready":'


def _releases_down_to(text: str, version: str) -> ProjectDoc | None:
    """Parse a compact project document only as far as release ``version``.

    Documents are written with ``releases`` (newest first, each starting with
    its ``version``) followed by ``first_ready``; None when the text does not
    have that shape or the version is not there.
    """
    opening = text.find(_RELEASES)
    tail = text.rfind(_TAIL)
    needle = _RELEASE_START + json.dumps(version) + ","
    found = text.find(needle, opening)
    if opening < 0 or tail < 0 or found < 0 or found > tail:
        return None
    if text[found - 1] not in "[,":
        return None
    following = text.find("," + _RELEASE_START, found)
    end = tail if following < 0 or following > tail else following
    try:
        head = _loads(text[:opening] + '"releases":[]}')
        releases = _loads("[" + text[opening + len(_RELEASES) : end] + "]")
        first_ready = _loads(text[tail + len(_TAIL) : -1])
    except ValueError:
        return None
    if not isinstance(head, dict) or not isinstance(releases, list):
        return None
    head["releases"] = releases
    head["first_ready"] = first_ready
    return head


def _member_text(compressed: bytes) -> str:
    """The text of one gzip member."""
    return zlib.decompress(compressed, 31).decode("utf-8")
