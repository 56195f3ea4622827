"""Keys every screen shows first in its footer, so that Quit and Help stay visible
on an 80-column terminal (the footer lists a screen's keys before the app's)."""

from __future__ import annotations

from textual.binding import Binding

__all__ = ["GLOBAL_KEYS"]

GLOBAL_KEYS: tuple[Binding, ...] = (
    Binding("q", "app.quit", "Quit"),
    Binding("question_mark", "app.help", "Help", key_display="?"),
)
