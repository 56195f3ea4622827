"""``Pipfile.lock`` (pipenv): the ``default`` and ``develop`` sections.

Each entry's ``version`` is ``==X``; ``markers`` are kept. Entries that come
from a path, a file, a URL or version control are yielded as skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tracker.audit.sources.interface import (
    check_dependency,
    display_path,
    load_json,
    optional_str,
    origin,
    pinned,
    read_project_name,
    read_text,
    require_table,
)
from tracker.audit.sources.redact import redacted
from tracker.errors import InputError
from tracker.models import Dependency

__all__ = ["PipfileLockSource"]

_SECTIONS = ("default", "develop")
_SKIPPED = {
    "path": "local path",
    "file": "file or URL",
    "git": "git source",
    "hg": "hg source",
    "svn": "svn source",
    "bzr": "bzr source",
}


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """Line numbers of ``"name": {`` keys per section, from the pretty-printed JSON."""
    found: dict[tuple[str, str], int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        top = re.match(r'^\s{0,4}"([^"]+)"\s*:\s*\{', line)
        if top and len(line) - len(line.lstrip()) <= 4:
            section = top.group(1)
            continue
        entry = re.match(r'^\s+"([^"]+)"\s*:\s*\{', line)
        if entry and section in _SECTIONS:
            found.setdefault((section, entry.group(1)), number)
    return found


class PipfileLockSource:
    """Dependencies locked in a pipenv ``Pipfile.lock``."""

    format_name = "Pipfile.lock"

    def __init__(self, path: str, *, text: str | None = None) -> None:
        self.path = path
        self._text = text

    def __iter__(self) -> Iterator[Dependency]:
        return redacted(self._dependencies())

    def _dependencies(self) -> Iterator[Dependency]:
        shown = display_path(self.path)
        text = self._text if self._text is not None else read_text(self.path)
        document = require_table(shown, load_json(shown, text), "top level")
        if not any(section in document for section in _SECTIONS):
            raise InputError(shown, "no 'default' or 'develop' section: not a Pipfile.lock")
        lines = _key_lines(text)
        seen: set[tuple[str, str | None]] = set()
        for section in _SECTIONS:
            entries = require_table(shown, document.get(section, {}), section)
            for raw_name, raw in entries.items():
                key = f"{section}.{raw_name}"
                line = lines.get((section, raw_name))
                dep = self._entry(shown, raw_name, require_table(shown, raw, key), key, line)
                if (dep.name, dep.version) not in seen:
                    seen.add((dep.name, dep.version))
                    yield check_dependency(shown, dep, line)

    @staticmethod
    def _entry(
        shown: str, raw_name: str, entry: dict[str, Any], key: str, line: int | None
    ) -> Dependency:
        name = read_project_name(shown, raw_name, key=key, line=line)
        markers = optional_str(shown, entry, "markers", key) or ""
        where = origin(shown, line)
        for field, reason in _SKIPPED.items():
            if field in entry:
                editable = " (editable)" if entry.get("editable") else ""
                return Dependency(
                    name=name,
                    markers=markers,
                    origin=where,
                    skipped_reason=f"{reason}{editable}: {entry[field]}",
                )
        version = optional_str(shown, entry, "version", key)
        if version is None:
            raise InputError(shown, f"{key}.version: missing", line=line)
        if not version.startswith("==") or len(version) < 3:
            raise InputError(shown, f"{key}.version: expected '==X', got {version!r}", line=line)
        return pinned(name, version[2:].lstrip("="), markers=markers, origin=where)
