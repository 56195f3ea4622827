"""The browse table's rows: built once from project summaries, then filtered and
sorted in memory. Nothing here touches Textual, so it is cheap to test and to time.

Every fact shown comes from the stored :class:`~tracker.documents.ProjectSummary`
(``summary.cell(target)``); nothing about a verdict is derived here.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text

from tracker.documents import TARGET_NAMES, ProjectSummary
from tracker.models import Status
from tracker.names import normalize_name
from tracker.vocabulary import STATUS_RECORDS
from tui.styles import status_text

__all__ = [
    "CELL_KEYS",
    "NO_WATCH",
    "BrowseRow",
    "Filters",
    "SortKey",
    "apply_filters",
    "build_row",
    "build_rows",
    "classifier_label",
    "sort_rows",
    "target_order",
]

#: Filter value meaning "projects with no watch reason".
NO_WATCH = "none"

#: The column key of each cell of :attr:`BrowseRow.cells`, in that order (the table
#: may show the columns in another order: :func:`target_order`).
CELL_KEYS: tuple[str, ...] = ("name", "version", *TARGET_NAMES, "watch", "classifier")


def target_order(judged: str | None) -> tuple[str, ...]:
    """The target columns from left to right: the target being judged first, then the
    others newest first, so an 80-column terminal shows the judged target's column
    beside the project's name. With no target known yet, newest first (the newest
    probed target is the default).

    >>> target_order("3.14t")
    ('3.14t', '3.15t', '3.13t')
    >>> target_order(None)
    ('3.15t', '3.14t', '3.13t')
    """
    newest_first = TARGET_NAMES[::-1]
    if judged not in TARGET_NAMES:
        return newest_first
    return (judged, *(t for t in newest_first if t != judged))


@dataclass(frozen=True, slots=True)
class BrowseRow:
    """One project in the browse table: its summary, search text and ready-made cells."""

    summary: ProjectSummary
    key: str
    haystack: str
    #: The name (plain text, never markup), then Text cells.
    cells: tuple[str | Text, ...]


@dataclass(frozen=True)
class Filters:
    """What the browse table shows. An empty value means "any"."""

    query: str = ""
    status: Status | None = None
    target: str | None = None
    culprits_only: bool = False
    watch: str | None = None

    def matches(self, row: BrowseRow) -> bool:
        """True when ``row`` passes every filter."""
        if self.query and self.query not in row.haystack:
            return False
        summary = row.summary
        targets = (self.target,) if self.target else TARGET_NAMES
        if self.status is not None and all(
            summary.cell(t).status is not self.status for t in targets
        ):
            return False
        if self.culprits_only and not any(summary.cell(t).culprits for t in targets):
            return False
        if self.watch is not None:
            reason = summary.watch_reason or NO_WATCH
            if reason != self.watch:
                return False
        return True


@dataclass(frozen=True)
class SortKey:
    """Sort by name (``target`` None) or by the status on ``target``; ``reverse`` flips it."""

    target: str | None = None
    reverse: bool = False

    def describe(self) -> str:
        """``name ↑`` or ``3.14t ↓``."""
        return f"{self.target or 'name'} {'↓' if self.reverse else '↑'}"


@functools.lru_cache(maxsize=1024)
def _shared(text: str) -> Text:
    """A cell for a value many rows share (watch reason, classifier, version)."""
    return Text(text, no_wrap=True, end="")


def classifier_label(classifier: str | None) -> str:
    """The maintainer's claim without the classifier's prefix: ``2 - Beta``.

    >>> classifier_label("Programming Language :: Python :: Free Threading :: 2 - Beta")
    '2 - Beta'
    """
    return classifier.rsplit("::", 1)[-1].strip() if classifier else ""


#: The status cell per (status, names a culprit): one shared Text each.
_STATUS_CELLS: dict[tuple[Status, bool], Text] = {
    (status, culprit): status_text(status, suffix="*" if culprit else "")
    for status in Status
    for culprit in (False, True)
}


def build_row(summary: ProjectSummary) -> BrowseRow:
    """The row of one project.

    The name cell is a plain ``str`` (the table draws it as it is, never as markup);
    every other cell is a shared :class:`~rich.text.Text`, so building 15,000 rows
    creates few objects.
    """
    targets = summary.targets
    unknown = _STATUS_CELLS[(Status.UNKNOWN, False)]
    statuses: list[Text] = []
    for target in TARGET_NAMES:
        cell = targets.get(target)
        statuses.append(
            unknown if cell is None else _STATUS_CELLS[(cell.status, bool(cell.culprits))]
        )
    cells: tuple[str | Text, ...] = (
        summary.display_name or summary.name,
        _shared(summary.version or "—"),
        *statuses,
        _shared(summary.watch_reason or ""),
        _shared(classifier_label(summary.classifier)),
    )
    haystack = summary.name
    if summary.display_name:
        haystack += " " + summary.display_name.lower()
    return BrowseRow(summary=summary, key=summary.name, haystack=haystack, cells=cells)


def build_rows(summaries: Iterable[ProjectSummary]) -> list[BrowseRow]:
    """Rows for every summary, sorted by name."""
    return sorted(map(build_row, summaries), key=lambda r: r.key)


def apply_filters(rows: Sequence[BrowseRow], filters: Filters) -> list[BrowseRow]:
    """The rows that pass ``filters``, in their order, but the project a search names
    exactly comes first (``numpy`` before ``fasttext-numpy2``)."""
    query = filters.query.strip().lower()
    if query != filters.query:
        filters = dataclasses.replace(filters, query=query)
    if filters == Filters():
        return list(rows)
    if filters == Filters(query=query):  # the common case: only a search, one test per row
        found = [row for row in rows if query in row.haystack]
    else:
        found = [row for row in rows if filters.matches(row)]
    named = normalize_name(query) if query else None
    for index, row in enumerate(found):
        if row.key == named:
            found.insert(0, found.pop(index))
            break
    return found


def sort_rows(rows: Sequence[BrowseRow], key: SortKey) -> list[BrowseRow]:
    """``rows`` sorted by ``key`` (ties broken by name, always ascending)."""
    by_name = sorted(rows, key=lambda r: r.key)
    if key.target is None:
        return by_name[::-1] if key.reverse else by_name
    target = key.target
    # best first: ready, pure, wheel-only, unknown, ..., gil-reenabled (severity reversed)
    best_first = {status: -record.rank for status, record in STATUS_RECORDS.items()}
    return sorted(
        by_name, key=lambda r: best_first[r.summary.cell(target).status], reverse=key.reverse
    )
