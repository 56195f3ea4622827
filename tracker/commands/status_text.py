"""``fttrack status``'s report as plain text, without loading rich.

When the report goes to a file or a pipe (no colours), :func:`plain_report`
assembles the same characters rich would print: the two heading lines
word-wrapped at the console's width, the table with its box and its centred
title, the machine lines. Whatever it cannot promise to print identically
(colours or a terminal, markup or emoji codes in a name, text wider than
the console, a queue report) returns None, and the caller draws with rich.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

__all__ = ["console_width", "plain_report", "use_rich"]

_WORD = re.compile(r"\s*\S+\s*")
#: Text rich would read as markup (``[bold]``, ``\\[``) or as an emoji code (``:name:``).
_RICH_SYNTAX = re.compile(r"[\[\]\\]|:[^\s:]*[A-Za-z_+][^\s:]*:")


def use_rich(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Whether rich would treat ``stream`` as a terminal (styles, colours), or could
    draw other characters than plain text's (a non-UTF-8 stream, Windows)."""
    if environ.get("TTY_COMPATIBLE") == "1" or environ.get("FORCE_COLOR") is not None:
        return True
    if sys.platform == "win32":
        return True
    if not (getattr(stream, "encoding", "") or "").lower().startswith("utf"):
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return True


def console_width(environ: Mapping[str, str]) -> int:
    """The width rich's console takes: ``COLUMNS``, else the first terminal among
    stdin, stdout and stderr, else 80."""
    width = 0
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    columns = environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80


def _wrapped(line: str, width: int) -> list[str] | None:
    """``line`` word-wrapped as rich wraps it (None when a word is wider than ``width``)."""
    lines: list[str] = []
    current = ""
    for word in _WORD.findall(line):
        length = len(word.rstrip())
        if length > width:
            return None
        if current and width - len(current) < length:
            lines.append(current)
            current = word
        else:
            current += word
    lines.append(current)
    return [text[:width] if text[width:].isspace() else text for text in lines]


def _table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """rich's default box (heavy head), one space of padding, the title centred."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]

    def rule(left: str, fill: str, middle: str, right: str) -> str:
        return left + middle.join(fill * (w + 2) for w in widths) + right

    def row(cells: Sequence[str], bar: str) -> str:
        return bar + bar.join(f" {c.ljust(w)} " for c, w in zip(cells, widths, strict=True)) + bar

    total = sum(widths) + 3 * len(widths) + 1
    left = (total - len(title)) // 2
    return [
        " " * left + title + " " * (total - len(title) - left),
        rule("┏", "━", "┳", "┓"),
        row(headers, "┃"),
        rule("┡", "━", "╇", "┩"),
        *(row(cells, "│") for cells in rows),
        rule("└", "─", "┴", "┘"),
    ]


def heading_lines(report: Mapping[str, Any]) -> tuple[tuple[str, str], str]:
    """The source (a label and its value) and the line of counts under it."""
    counts = (
        f"{report['projects']} projects, {report['releases']} releases, newest probe "
        f"{report['newest_probe'] or 'never'}"
    )
    return ("source", str(report["source"])), counts


def table_rows(
    report: Mapping[str, Any], targets: Sequence[str], statuses: Sequence[str]
) -> list[list[str]]:
    """The rows of the verdicts table: each status some target counts, then the
    probed releases (the last row)."""
    rows = []
    for value in statuses:
        row = [str(report["current_release_status"][t].get(value, 0)) for t in targets]
        if any(cell != "0" for cell in row):
            rows.append([value, *row])
    rows.append(["probed releases", *(str(report["probed_releases"][t]) for t in targets)])
    return rows


def machine_lines(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What this machine can probe with, as (label, value) lines."""
    interpreters = ", ".join(f"{i['target']} ({i['version']})" for i in report["interpreters"])
    return [
        ("interpreters", interpreters or "none (fttrack python install 3.14t)"),
        ("sandbox levels", ", ".join(report["sandboxes"]) or "none"),
    ]


def plain_report(
    report: Mapping[str, Any], targets: Sequence[str], statuses: Sequence[str], width: int
) -> str | None:
    """The text of ``fttrack status`` for a console ``width`` wide, or None when
    only rich can say what it would print (see the module docstring)."""
    if "queue" in report:
        return None
    (label, value), counts = heading_lines(report)
    heading = [f"{label}: {value}", counts]
    machine = [f"{label}: {value}" for label, value in machine_lines(report)]
    rows = table_rows(report, targets, statuses)
    table = _table("verdicts per target", ["status (current release)", *targets], rows)
    if len(table[0]) > width:  # rich would narrow the table
        return None
    lines: list[str] = []
    for line in (*heading, None, *machine):
        if line is None:
            lines += table
            continue
        wrapped = _wrapped(line, width)
        if wrapped is None or not line.isascii() or not line.isprintable():
            return None
        if _RICH_SYNTAX.search(line):
            return None
        lines += wrapped
    return "".join(line + "\n" for line in lines)
