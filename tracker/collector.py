"""The cyclic garbage collector paused around bulk allocation: the one way fttrack does it.

Decoding thousands of summaries, importing the audit's modules or making the
TUI's rows creates many objects and no cycle; the collections their allocation
would trigger only walk them (docs/benchmarks.md has the figures). Reference
counting still frees everything at once, as it always does.

>>> import gc
>>> with paused_collector():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc

__all__ = ["paused_collector"]


class _Paused:
    """The context manager :func:`paused_collector` returns (a class: no contextlib import)."""

    __slots__ = ("_enabled", "_freeze")

    def __init__(self, freeze: bool) -> None:
        self._freeze = freeze
        self._enabled = False

    def __enter__(self) -> None:
        self._enabled = gc.isenabled()
        gc.disable()
        if self._freeze:
            gc.unfreeze()  # a reload: what the last block froze may be garbage now

    def __exit__(self, *_exc: object) -> None:
        if self._freeze:
            gc.freeze()
        if self._enabled:
            gc.enable()


def paused_collector(*, freeze: bool = False) -> _Paused:
    """A block with the collector paused; it is enabled again after, if it was before.

    ``freeze``: the block makes long-lived objects (the TUI's rows). Objects frozen
    by an earlier such block go back to the collector on entry, and every object
    alive on exit moves to the permanent generation, so later collections (on each
    keystroke's allocations) no longer walk them.
    """
    return _Paused(freeze)
