"""A DataTable for thousands of one-line rows in fixed-width columns.

Textual's :class:`~textual.widgets.DataTable` measures every cell of every new
row to size its columns, and adds rows one at a time; with 15,000 projects that
costs seconds per rebuild. Here every column has a fixed width and the rows are
handed over once (:meth:`FixedWidthTable.remember_rows`): showing a filtered
subset (:meth:`FixedWidthTable.show_rows`) then only swaps three dicts of
ready-made row objects, and the dimension update skips the measuring. The
table still paints only the visible lines. Anything else (auto-width columns,
row labels, taller rows) falls back to DataTable's own code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets._data_table import Row, RowKey

__all__ = ["FixedWidthTable"]

_Prepared = tuple[RowKey, Row, dict[Any, Any]]


class FixedWidthTable(DataTable[Any]):
    """A DataTable whose columns all have a fixed width and whose rows are one line."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._prepared: dict[str, _Prepared] = {}

    def _fixed(self) -> bool:
        return bool(self.columns) and not any(c.auto_width for c in self.columns.values())

    def remember_rows(self, rows: Iterable[tuple[str, Sequence[Text]]]) -> None:
        """Prepare every row that may be shown, once (call after the columns exist)."""
        columns = [column.key for column in self.ordered_columns]
        prepared: dict[str, _Prepared] = {}
        for key, cells in rows:
            row_key = RowKey(key)
            prepared[key] = (row_key, Row(row_key, 1), dict(zip(columns, cells, strict=False)))
        self._prepared = prepared

    def replace_rows(self, rows: Iterable[tuple[str, Sequence[Text]]]) -> None:
        """Remember ``(key, cells)`` pairs and show them all, in that order."""
        pairs = list(rows)
        self.remember_rows(pairs)
        self.show_rows([key for key, _ in pairs])

    def show_rows(self, keys: Sequence[str], *, cursor_row: int = 0) -> None:
        """Show the remembered rows ``keys``, in that order, the cursor on ``cursor_row``."""
        prepared = [self._prepared[key] for key in keys]
        if not self._fixed():
            self.clear()
            for row_key, _, data in prepared:
                self.add_row(*data.values(), key=row_key.value)
        else:
            self._clear_caches()
            self._data = {row_key: data for row_key, _, data in prepared}
            self.rows = {row_key: row for row_key, row, _ in prepared}
            self._row_locations = TwoWayDict(
                {row_key: index for index, (row_key, _, _) in enumerate(prepared)}
            )
            self._new_rows = set()
            self._require_update_dimensions = True
            self._update_count += 1
            self.refresh()
            self.check_idle()
        row = min(max(cursor_row, 0), max(len(prepared) - 1, 0))
        self.hover_coordinate = Coordinate(0, 0)
        self.cursor_coordinate = Coordinate(row, 0)
        if row == 0:
            self.scroll_to(0, 0, animate=False, immediate=True)
        else:
            self.move_cursor(row=row, animate=False)
        if self.rows and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Without measuring cells when every column has a fixed width."""
        if not self._fixed() or self._labelled_row_exists:
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, len(self.rows) + header)
