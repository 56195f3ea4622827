"""Keys every screen shows first in its footer, so that Quit and Help stay visible
on an 80-column terminal (the footer lists a screen's keys before the app's).

While a text field has the focus, ``q`` and ``?`` type themselves and the footer
hides them: ``Ctrl+Q`` and ``F1`` then stand in (the footer shows one key per
action, the first one that works).
"""

from __future__ import annotations

from textual.binding import Binding

__all__ = ["GLOBAL_KEYS"]

GLOBAL_KEYS: tuple[Binding, ...] = (
    Binding("q", "app.quit", "Quit"),
    Binding("ctrl+q", "app.quit", "Quit", key_display="^q", priority=True),
    Binding("question_mark", "app.help", "Help", key_display="?"),
    Binding("f1", "app.help", "Help", key_display="F1"),
)
