"""The fixed-width table draws exactly what Textual's DataTable draws, faster.

Both tables get the same columns and rows; every line is compared segment by
segment (text, colours and the row/column metadata a mouse click reads), with
the cursor and the zebra stripes on, before and after the rows are swapped.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tui.widgets.table import FixedWidthTable

ROWS: list[tuple[str, tuple[str | Text, ...]]] = [
    (
        f"p{i}",
        (f"project-{i}", Text(f"1.{i}"), Text("ready" if i % 3 else "gil-reenabled", "red")),
    )
    for i in range(40)
]
WIDTHS = {"name": 14, "version": 8, "status": 16}


class _Table(App[None]):
    """One table (the fast one, or Textual's own) showing some of ``ROWS``."""

    def __init__(self, fast: bool) -> None:
        super().__init__()
        self.fast = fast

    def compose(self) -> ComposeResult:
        kind = FixedWidthTable if self.fast else DataTable
        yield kind(id="table", cursor_type="row", zebra_stripes=True)

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#table", DataTable)

    def on_mount(self) -> None:
        for key, width in WIDTHS.items():
            self.table.add_column(key, key=key, width=width)
        if isinstance(self.table, FixedWidthTable):
            self.table.remember_rows(ROWS)
        self.show(list(range(len(ROWS))), cursor=0)

    def show(self, indexes: list[int], cursor: int) -> None:
        """Show rows ``indexes``, the cursor on ``cursor``."""
        table = self.table
        if isinstance(table, FixedWidthTable):
            table.show_rows([ROWS[i][0] for i in indexes], cursor_row=cursor)
            return
        table.clear()
        for i in indexes:
            key, cells = ROWS[i]
            table.add_row(*cells, key=key)
        table.move_cursor(row=cursor, animate=False)


def _lines(table: DataTable[Any]) -> list[list[tuple[str, Any]]]:
    return [
        [(segment.text, segment.style) for segment in table.render_line(y)]
        for y in range(table.size.height)
    ]


SHOWN = [
    (list(range(40)), 0),
    (list(range(40)), 3),
    ([5, 7, 2, 30, 31], 1),  # a search: other rows, at other places
    (list(range(40)), 0),  # and back (rows seen before, moved)
]


async def _drawn(fast: bool) -> list[list[list[tuple[str, Any]]]]:
    """Every line of the table, for each of ``SHOWN``."""
    app = _Table(fast)
    drawn = []
    async with app.run_test(size=(60, 20)) as pilot:
        for indexes, cursor in SHOWN:
            app.show(indexes, cursor)
            await pilot.pause()
            await pilot.pause()
            assert app.table.row_count == len(indexes)
            drawn.append(_lines(app.table))
    return drawn


def test_fast_rows_draw_what_datatable_draws() -> None:
    fast = asyncio.run(_drawn(fast=True))
    plain = asyncio.run(_drawn(fast=False))
    for (indexes, _), fast_lines, plain_lines in zip(SHOWN, fast, plain, strict=True):
        assert fast_lines == plain_lines
        first = "".join(text for text, _ in fast_lines[1])
        assert f"project-{indexes[0]} " in first
        metas = {style.meta.get("row") for _, style in fast_lines[1] if style is not None}
        assert metas == {0}  # a click on the first body line selects row 0


def test_a_click_selects_the_row_under_the_mouse_after_a_swap() -> None:
    async def scenario() -> None:
        app = _Table(fast=True)
        async with app.run_test(size=(60, 20)) as pilot:
            app.show([9, 4, 17], 0)
            await pilot.pause()
            await pilot.click("#table", offset=(3, 3))  # header, then rows 0, 1, 2
            await pilot.pause()
            table = app.table
            assert table.cursor_row == 2
            assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "p17"

    asyncio.run(scenario())
