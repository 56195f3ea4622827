"""A DataTable for thousands of one-line rows in fixed-width columns.

Textual's :class:`~textual.widgets.DataTable` measures every cell of every new
row to size its columns, and adds rows one at a time; with 5,000 projects
that costs seconds per rebuild. Here every column has a fixed width, so
:meth:`FixedWidthTable.replace_rows` swaps the whole row set in one pass and
the dimension update skips the measuring. Anything else (auto-width columns,
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


class FixedWidthTable(DataTable[Any]):
    """A DataTable whose columns all have a fixed width and whose rows are one line."""

    def _fixed(self) -> bool:
        return bool(self.columns) and not any(c.auto_width for c in self.columns.values())

    def replace_rows(self, rows: Iterable[tuple[str, Sequence[Text]]]) -> None:
        """Replace every row with ``(key, cells)`` pairs, keeping the columns."""
        if not self._fixed():
            self.clear()
            for key, cells in rows:
                self.add_row(*cells, key=key)
            return
        self._clear_caches()
        columns = [column.key for column in self.ordered_columns]
        data: dict[RowKey, dict[Any, Any]] = {}
        meta: dict[RowKey, Row] = {}
        locations: dict[RowKey, int] = {}
        for index, (key, cells) in enumerate(rows):
            row_key = RowKey(key)
            data[row_key] = dict(zip(columns, cells, strict=False))
            meta[row_key] = Row(row_key, 1)
            locations[row_key] = index
        self._data = data
        self.rows = meta
        self._row_locations = TwoWayDict(locations)
        self._new_rows = set()
        self._require_update_dimensions = True
        self._update_count += 1
        self.cursor_coordinate = Coordinate(0, 0)
        self.hover_coordinate = Coordinate(0, 0)
        self.scroll_to(0, 0, animate=False)
        if self.rows and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self.refresh()
        self.check_idle()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Without measuring cells when every column has a fixed width."""
        if not self._fixed() or self._labelled_row_exists:
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, len(self.rows) + header)
