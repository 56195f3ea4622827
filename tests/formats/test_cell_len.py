"""The table measures cells as rich does, without importing rich for its own marks."""

from __future__ import annotations

import pytest
from rich.cells import cell_len as rich_cell_len

from tracker.formats.table import NARROW, cell_len


@pytest.mark.parametrize(
    "text",
    [
        *("", "numpy", "a\tb", "↳ importing x re-enables the GIL", "✗", "2.0 → 2.1", "─" * 5),
        *("数据", "é"),
        *sorted(NARROW),
    ],
)
def test_cell_len_is_richs(text: str) -> None:
    assert cell_len(text) == rich_cell_len(text)
