"""What every TOML lockfile source shares: read, check, walk the package array."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker.audit.graph import LockGraph
from tracker.audit.sources.interface import (
    TomlLines,
    check_dependency,
    check_markers,
    display_path,
    load_toml,
    read_text,
    require_list,
    require_table,
)
from tracker.audit.sources.redact import redacted
from tracker.errors import InputError
from tracker.models import Dependency

__all__ = ["TomlLockfile"]

#: What ``str.splitlines`` ends a line at besides ``\n``.
_OTHER_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _with_format_hint(error: InputError, path: str, format_name: str) -> InputError:
    """``error`` (the file is not ``format_name``) saying what its name says it is."""
    from tracker.audit.sources import detect_format

    named = detect_format(path)
    if named is None or named == format_name:
        return error
    return InputError(
        error.path,
        f"{error.message}: read as {format_name}, but its name says {named} "
        f"(drop --format-in, or pass --format-in {named})",
        line=error.line,
    )


class TomlLockfile:
    """Base of the TOML lockfile sources (uv.lock, poetry.lock, pdm.lock, pylock.toml).

    A subclass names its ``format_name`` and the array of tables holding the
    packages (``package_key``), checks that a document is its format
    (:meth:`check`), and turns one package table into a :class:`Dependency`
    (:meth:`package`, None to leave it out). Line numbers come from the text.
    """

    format_name = ""
    package_key = "package"
    #: Yield a (name, version, markers) once even if the file lists it more often.
    deduplicate = False

    def __init__(self, path: str, *, text: str | None = None) -> None:
        self.path = path
        self._text = text
        #: The lock's dependency graph, once the source has been read (None: it has none).
        self.graph: LockGraph | None = None

    def __iter__(self) -> Iterator[Dependency]:
        return redacted(self._dependencies())

    def _dependencies(self) -> Iterator[Dependency]:
        shown = display_path(self.path)
        text = self._text if self._text is not None else read_text(self.path)
        prepared = self.prepare(text)
        document = load_toml(shown, prepared)
        try:
            self.check(shown, document)
        except InputError as exc:
            raise _with_format_hint(exc, self.path, self.format_name) from None
        # The prepared text keeps every line where it was, blanked lines empty; its lines
        # are numbered as the text's are unless the text ends a line at something other
        # than "\n" (which splitlines counts too, and which a blanked line may have held).
        if prepared is not text and any(mark in text for mark in _OTHER_LINE_BREAKS):
            prepared = text
        lines = TomlLines(prepared)
        packages = require_list(shown, document.get(self.package_key, []), self.package_key)
        seen: set[tuple[str, str | None, str]] = set()
        for index, raw in enumerate(packages):
            key = f"{self.package_key}[{index}]"
            line = lines.element_line(self.package_key, index)
            dep = self.package(shown, require_table(shown, raw, key), key, line)
            if dep is None:
                continue
            identity = (dep.name, dep.version, dep.markers)
            if self.deduplicate and identity in seen:
                continue
            seen.add(identity)
            yield check_dependency(shown, dep, line)
        self.graph = self.lock_graph(shown, document)
        for node in self.graph.nodes if self.graph is not None else ():
            edges = [
                *node.edges,
                *(e for g in (node.extras, node.groups) for es in g.values() for e in es),
            ]
            for edge in edges:
                check_markers(shown, edge.marker, what=f"{node.name} -> {edge.name}")

    def prepare(self, text: str) -> str:
        """The text to parse: a subclass may blank what it never reads (keeping every
        line where it is, so line numbers in errors and origins stay true)."""
        return text

    @staticmethod
    def file_names(table: dict[str, Any]) -> tuple[str, ...]:
        """A package's locked files: the last part of each name, URL or path as the lock
        writes it (still percent-escaped), in whichever of the formats' fields it lists
        them: ``files = [{file = ...}]`` (Poetry, PDM), ``sdist`` and ``wheels`` with a
        ``name``, ``url`` or ``path`` (uv, PEP 751). Malformed entries are passed over:
        the names only add evidence, read when the verdict data does not know the
        release."""
        entries: list[Any] = [table["sdist"]] if isinstance(table.get("sdist"), dict) else []
        for field in ("files", "wheels"):
            value = table.get(field)
            if isinstance(value, list):
                entries += value
        names = []
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            for key in ("file", "name", "url", "path"):
                value = entry.get(key)
                if isinstance(value, str) and value:
                    names.append(value.rsplit("/", 1)[-1])  # no host, no credentials
                    break
        return tuple(names)

    def lock_graph(self, shown: str, document: dict[str, Any]) -> LockGraph | None:
        """The lock's dependency graph, where the format records one that decides
        what is installed (None: every package the lock lists is judged)."""
        return None

    def check(self, shown: str, document: dict[str, Any]) -> None:
        """Raise :class:`~tracker.errors.InputError` unless ``document`` is this format."""

    def package(
        self, shown: str, table: dict[str, Any], key: str, line: int | None
    ) -> Dependency | None:
        """The dependency one package table stands for (None: not one to audit)."""
        raise NotImplementedError
