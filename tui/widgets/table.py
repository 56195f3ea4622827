"""A DataTable for thousands of one-line rows in fixed-width columns.

Textual's :class:`~textual.widgets.DataTable` measures every cell of every new
row to size its columns, and adds rows one at a time; with 15,000 projects that
costs seconds per rebuild. Here every column has a fixed width and the rows are
handed over once (:meth:`FixedWidthTable.remember_rows`): showing a filtered
subset (:meth:`FixedWidthTable.show_rows`) then only swaps three dicts of
ready-made row objects, and the dimension update skips the measuring. The
table still paints only the visible lines, and a one-line :class:`~rich.text.Text`
cell is drawn straight into segments (the same segments DataTable's
console-rendering path gives, a fraction of the time: after a search swaps
the rows, every visible cell is drawn again). Anything else (auto-width
columns, row labels, taller rows, other cell types) falls back to
DataTable's own code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets._data_table import ColumnKey, Row, RowKey

__all__ = ["FixedWidthTable", "Prepared", "prepare_rows"]

#: A row ready to be shown: its key, its Row and its cells by column key.
Prepared = tuple[RowKey, Row, dict[Any, Any]]


def prepare_rows(
    column_keys: Sequence[ColumnKey], rows: Iterable[tuple[str, Sequence[str | Text]]]
) -> dict[str, Prepared]:
    """The table's row objects for ``(key, cells)`` pairs. Touches no widget, so a
    worker thread can do it (the column keys are read once, on the UI thread)."""
    prepared: dict[str, Prepared] = {}
    for key, cells in rows:
        row_key = RowKey(key)
        prepared[key] = (row_key, Row(row_key, 1), dict(zip(column_keys, cells, strict=False)))
    return prepared


class FixedWidthTable(DataTable[Any]):
    """A DataTable whose columns all have a fixed width and whose rows are one line.

    A cell is a one-line :class:`~rich.text.Text` or a plain ``str``, which is drawn
    as it is (never read as markup).
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._prepared: dict[str, Prepared] = {}

    def _fixed(self) -> bool:
        return bool(self.columns) and not any(c.auto_width for c in self.columns.values())

    @property
    def column_keys(self) -> list[ColumnKey]:
        """The column keys, in display order (for :func:`prepare_rows`)."""
        return [column.key for column in self.ordered_columns]

    def remember_rows(
        self, rows: Iterable[tuple[str, Sequence[str | Text]]] | dict[str, Prepared]
    ) -> None:
        """Keep every row that may be shown, ready-made (call after the columns exist):
        ``(key, cells)`` pairs, or what :func:`prepare_rows` made of them."""
        self._prepared = rows if isinstance(rows, dict) else prepare_rows(self.column_keys, rows)

    def replace_rows(self, rows: Iterable[tuple[str, Sequence[str | Text]]]) -> None:
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
            self._update_count += 1
            # Size now, not on idle: the layout this causes joins the one the
            # keystroke's Input already asked for (one layout per keystroke, not two).
            self._update_dimensions(())
            self.refresh()
        row = min(max(cursor_row, 0), max(len(prepared) - 1, 0))
        self.hover_coordinate = Coordinate(0, 0)
        self.cursor_coordinate = Coordinate(row, 0)
        if row == 0:
            self.scroll_to(0, 0, animate=False, immediate=True)
        else:
            self.move_cursor(row=row, animate=False)
        if self.rows and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A one-line body cell (Text or str), drawn without the console's render pipeline."""
        if row_index < 0 or column_index < 0 or self._labelled_row_exists:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        row = self.rows.get(row_key)
        cell = self._data.get(row_key, {}).get(column_key)
        if type(cell) is str:
            cell = Text(cell, end="")  # plain: no markup
        if row is None or row.height != 1 or type(cell) is not Text or "\n" in cell.plain:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            column_index < self.fixed_columns,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = (
            base_style
            + Style.from_meta({"row": row_index, "column": column_index})
            + component_style
        )
        console = self.app.console
        padding = self.cell_padding
        segments = cell.render(console, end="")
        if cell.style:  # Text.render leaves the text's own style to its caller
            segments = Segment.apply_style(segments, console.get_style(cell.style))
        body = Segment.adjust_line_length(list(segments), max(width - 2 * padding, 0), pad=True)
        if padding:
            gap = Segment(" " * padding, Style.null())
            body = [gap, *body, gap]
        lines = [list(Segment.apply_style(body, pre_style, post_style))]
        self._cell_render_cache[cache_key] = lines
        return lines

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Without measuring cells when every column has a fixed width."""
        if not self._fixed() or self._labelled_row_exists:
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, len(self.rows) + header)
