"""A search box that filters in the same frame as the keystroke that changed it.

:class:`textual.widgets.Input` reports an edit with a ``Changed`` message, which
reaches the screen after the Input has gone idle: Textual paints a frame of the
echoed character first, then another with the filtered rows (two frames, and
the wait for the second, per keystroke). :class:`SearchInput` calls its
``on_edit`` callback from the value's watcher instead, so the echo and the
filtered rows are painted together. ``Changed`` is still posted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Input

__all__ = ["SearchInput"]


class SearchInput(Input):
    """An Input that calls ``on_edit(value)`` as soon as its value changes."""

    def __init__(self, on_edit: Callable[[str], None], **options: Any) -> None:
        super().__init__(**options)
        self._on_edit = on_edit

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        self._on_edit(value)
