"""Quoting long input in one readable line: an excerpt around the place that is wrong.

An error about a requirement, a version or a name quotes what it read; a line of
8 MB made an error line of 8 MB. :func:`excerpt` keeps at most about ``limit``
characters around a position, and :func:`requirement_problem` says what
``packaging`` found wrong in a requirement, at which character, quoting only
the part around it (credentials masked, control characters escaped).

>>> excerpt("short")
"'short'"
>>> excerpt("a" * 50 + "!" + "b" * 50, position=50, limit=20)
"…'aaaaaaaaaa!bbbbbbbbb'… (101 characters)"
>>> from packaging.requirements import InvalidRequirement, Requirement
>>> try:
...     Requirement("numpy ==1.0 @@@ " + "x" * 8_000_000)
... except InvalidRequirement as exc:
...     line = requirement_problem("numpy ==1.0 @@@ " + "x" * 8_000_000, exc)
>>> len(line) < 300, "at character 13" in line, line.startswith("invalid requirement ")
(True, True, True)
"""

from __future__ import annotations

from tracker.redact import redact, safe_line

__all__ = ["LIMIT", "excerpt", "requirement_problem"]

#: About how many characters of input an error line quotes.
LIMIT = 80


def excerpt(text: str, *, position: int | None = None, limit: int = LIMIT) -> str:
    """``repr`` of ``text`` when short; else of about ``limit`` characters around
    ``position`` (default: the start), ``…`` marking what is left out, and the length."""
    if len(text) <= limit:
        return safe_line(repr(text))
    at = 0 if position is None else min(max(position, 0), len(text))
    start = max(0, min(at - limit // 2, len(text) - limit))
    part = text[start : start + limit]
    before = "…" if start > 0 else ""
    after = "…" if start + limit < len(text) else ""
    return f"{before}{safe_line(repr(part))}{after} ({len(text):,} characters)"


def requirement_problem(text: str, exc: Exception, *, what: str = "invalid requirement") -> str:
    """One line: ``what``, an excerpt of ``text`` around the place ``exc`` (packaging's
    ``InvalidRequirement``) points at, what was expected there and at which character."""
    lines = str(exc).splitlines()
    reason = lines[0] if lines else type(exc).__name__
    position = None
    if len(lines) >= 3 and lines[-1].rstrip().endswith("^"):
        position = max(0, len(lines[-1].rstrip()) - 1 - 4)  # packaging indents by 4
    where = "" if position is None else f" at character {position + 1:,}"
    reason = reason if len(reason) <= 2 * LIMIT else reason[: 2 * LIMIT] + "…"
    shown = excerpt(redact(text), position=position)  # masked whole, then cut
    return f"{what} {shown}: {safe_line(reason)}{where}"
