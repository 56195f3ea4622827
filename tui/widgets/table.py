"""A DataTable for thousands of one-line rows in fixed-width columns.

Textual's :class:`~textual.widgets.DataTable` measures every cell of every new
row to size its columns, and adds rows one at a time; with 15,000 projects that
costs seconds per rebuild. Here every column has a fixed width and the rows are
handed over once (:meth:`FixedWidthTable.remember_rows`): showing a filtered
subset (:meth:`FixedWidthTable.show_rows`) then only swaps three dicts of
ready-made row objects, and the dimension update skips the measuring. The
table still paints only the visible lines. After a search swaps the rows every
visible line is drawn again, so drawing is cut to what depends on where a row
is shown: a one-line :class:`~rich.text.Text` cell's text is drawn into
segments once per project and width and kept across swaps, and a body row
takes its zebra and cursor styles from caches (DataTable looks up component
styles for every row). The segments are the ones DataTable draws, metadata
for mouse clicks included (``tests/tui/test_table.py`` compares them line by
line). Anything else (auto-width columns, row labels, fixed columns, taller
rows, other cell types or cursors) falls back to DataTable's own code.
"""

from __future__ import annotations

import functools
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
        #: A one-line cell's text drawn to its width, before the row's styles
        #: (which depend on where the row is shown): kept across row swaps.
        self._bodies: dict[tuple[RowKey, ColumnKey, int], list[Segment]] = {}

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
        self._bodies.clear()

    def notify_style_update(self) -> None:
        """The theme or CSS changed: cells are drawn again."""
        self._bodies.clear()
        super().notify_style_update()

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
            # Every row is one line: the line → row map and the row order are the
            # prepared list itself (DataTable would rebuild both row by row).
            self._ordered_row_cache[(len(prepared), self._update_count)] = [
                row for _, row, _ in prepared
            ]
            self._offset_cache[self._update_count] = [(row_key, 0) for row_key, _, _ in prepared]
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

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[list[list[Segment]], list[list[Segment]]]:
        """A body row of one-line cells under a row cursor, its styles taken from caches
        (DataTable looks up the header's and the row's component styles for every
        row it draws); any other row as DataTable draws it."""
        row_index = self._row_locations.get(row_key)
        if (
            row_index is None
            or row_index < self.fixed_rows
            or self.fixed_columns
            or self._labelled_row_exists
            or self.cursor_type != "row"
            or not self._fixed()
        ):
            return super()._render_line_in_row(
                row_key, line_no, base_style, cursor_location, hover_location
            )
        show_cursor = self.show_cursor
        show_hover = self._show_hover_cursor
        cache_key = (
            row_key,
            line_no,
            base_style,
            cursor_location,
            hover_location,
            self.cursor_type,
            show_cursor,
            show_hover,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._row_render_cache.get(cache_key)
        if cached is not None:
            return cached
        if self.zebra_stripes:
            parity = "datatable--odd-row" if row_index % 2 else "datatable--even-row"
            row_style = self.get_component_rich_style(parity)
        else:
            row_style = base_style
        # (header, label, fixed, hover, cursor, ...): the same for every cell of the row
        styles = functools.partial(
            self._get_styles_to_render_cell,
            False,
            False,
            False,
            hover_location.row == row_index,
            cursor_location.row == row_index,
            show_cursor,
            show_hover,
        )
        component, post = styles(
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css"
        )
        cells: list[list[Segment]] = []
        drawn = 0
        for column_index, column in enumerate(self.ordered_columns):
            width = column.get_render_width(self)
            body = self._body(row_key, column.key, width)
            if body is None:
                return super()._render_line_in_row(
                    row_key, line_no, base_style, cursor_location, hover_location
                )
            meta = Style.from_meta({"row": row_index, "column": column_index})
            cells.append(list(Segment.apply_style(body, row_style + meta + component, post)))
            drawn += width
        # the rest of the line, in the row's colours (as DataTable extends a row)
        extend, _ = styles(False, False)
        out_of_bounds = Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        remaining = max(0, self.size.width - drawn)
        cells.append([Segment(" " * remaining, row_style + extend + out_of_bounds)])
        pair: tuple[list[list[Segment]], list[list[Segment]]] = ([], cells)
        self._row_render_cache[cache_key] = pair
        return pair

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
        if row is None or row.height != 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        body = self._body(row_key, column_key, width)
        if body is None:
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
        lines = [list(Segment.apply_style(body, pre_style, post_style))]
        self._cell_render_cache[cache_key] = lines
        return lines

    def _body(self, row_key: RowKey, column_key: ColumnKey, width: int) -> list[Segment] | None:
        """The segments of a one-line cell padded to ``width``, or None for any other cell."""
        key = (row_key, column_key, width)
        body = self._bodies.get(key)
        if body is not None:
            return body
        cell = self._data.get(row_key, {}).get(column_key)
        if type(cell) is str:
            cell = Text(cell, end="")  # plain: no markup
        if type(cell) is not Text or "\n" in cell.plain:
            return None
        console = self.app.console
        padding = self.cell_padding
        segments = cell.render(console, end="")
        if cell.style:  # Text.render leaves the text's own style to its caller
            segments = Segment.apply_style(segments, console.get_style(cell.style))
        body = Segment.adjust_line_length(list(segments), max(width - 2 * padding, 0), pad=True)
        if padding:
            gap = Segment(" " * padding, Style.null())
            body = [gap, *body, gap]
        self._bodies[key] = body
        return body

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Without measuring cells when every column has a fixed width."""
        if not self._fixed() or self._labelled_row_exists:
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, len(self.rows) + header)
