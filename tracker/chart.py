"""An SVG chart of readiness per target: one stacked bar of status counts per target.

Drawn from project summaries (or counts from :func:`tracker.documents.status_counts`),
with no plotting library, so the export page and the README can embed it.

>>> svg = readiness_chart_svg({"3.14t": {"ready": 3, "no-ft-wheel": 1}})
>>> svg.startswith("<svg") and "3.14t" in svg
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape

from tracker.documents import ProjectSummary, status_counts
from tracker.vocabulary import Status, by_severity, colour

__all__ = ["best_first", "readiness_chart_svg", "summaries_chart_svg"]


def best_first() -> tuple[Status, ...]:
    """Every status from best to worst: the order of the stacked segments and the legend
    (the severity of :data:`tracker.vocabulary.STATUS_RECORDS`, reversed)."""
    return by_severity()[::-1]


_LABEL_W = 70
_BAR_W = 560
_BAR_H = 28
_GAP = 14
_TOP = 40


def readiness_chart_svg(
    counts: Mapping[str, Mapping[str, int]], *, title: str = "Readiness per target"
) -> str:
    """Stacked horizontal bars: per target, the share of projects in each status."""
    targets = list(counts)
    order = best_first()
    height = _TOP + len(targets) * (_BAR_H + _GAP) + 70
    width = _LABEL_W + _BAR_W + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'font-family="Verdana,DejaVu Sans,sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for row, target in enumerate(targets):
        y = _TOP + row * (_BAR_H + _GAP)
        per_status = counts[target]
        total = sum(per_status.values())
        parts.append(
            f'<text x="0" y="{y + _BAR_H / 2 + 4:.0f}" font-weight="bold">{escape(target)}</text>'
        )
        parts.append(
            f'<rect x="{_LABEL_W}" y="{y}" width="{_BAR_W}" height="{_BAR_H}" fill="#f5f5f5"/>'
        )
        x = float(_LABEL_W)
        for status in order:
            count = per_status.get(status.value, 0)
            if not count or not total:
                continue
            w = _BAR_W * count / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{_BAR_H}" '
                f'fill="{colour(status).hex}"><title>{escape(target)} {escape(status.value)}: '
                f"{count} of {total}</title></rect>"
            )
            if w >= 26:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + _BAR_H / 2 + 4:.0f}" '
                    f'text-anchor="middle" fill="{colour(status).ink}">{count}</text>'
                )
            x += w
        parts.append(
            f'<text x="{_LABEL_W + _BAR_W + 6}" y="{y + _BAR_H / 2 + 4:.0f}" '
            f'fill="#555">{total}</text>'
        )
    legend_y = _TOP + len(targets) * (_BAR_H + _GAP) + 10
    for index, status in enumerate(order):
        lx = (index % 6) * 115
        ly = legend_y + (index // 6) * 20
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{colour(status).hex}" '
            'stroke="#999" stroke-width=".5"/>'
        )
        parts.append(f'<text x="{lx + 16}" y="{ly + 10}">{escape(status.value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def summaries_chart_svg(
    summaries: Iterable[ProjectSummary], *, title: str = "Readiness per target"
) -> str:
    """The readiness chart of project summaries (current release of each project)."""
    return readiness_chart_svg(status_counts(summaries), title=title)
