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
from tracker.models import Status

__all__ = ["STATUS_HEX", "STATUS_ORDER", "readiness_chart_svg", "summaries_chart_svg"]

#: Statuses from best to worst: the order of the stacked segments and the legend.
STATUS_ORDER: tuple[str, ...] = (
    Status.READY.value,
    Status.PURE.value,
    Status.WHEEL_ONLY.value,
    Status.GIL_REENABLED.value,
    Status.IMPORT_FAILED.value,
    Status.CRASHED.value,
    Status.TIMED_OUT.value,
    Status.INSTALL_FAILED.value,
    Status.NO_FT_WHEEL.value,
    Status.SDIST_ONLY.value,
    Status.UNKNOWN.value,
)

#: A distinct colour per status (for charts and tables).
STATUS_HEX: dict[str, str] = {
    Status.READY.value: "#2e7d32",
    Status.PURE.value: "#81c784",
    Status.WHEEL_ONLY.value: "#fdd835",
    Status.GIL_REENABLED.value: "#fb8c00",
    Status.IMPORT_FAILED.value: "#e53935",
    Status.CRASHED.value: "#b71c1c",
    Status.TIMED_OUT.value: "#8e24aa",
    Status.INSTALL_FAILED.value: "#d81b60",
    Status.NO_FT_WHEEL.value: "#90a4ae",
    Status.SDIST_ONLY.value: "#cfd8dc",
    Status.UNKNOWN.value: "#eeeeee",
}

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
        for status in STATUS_ORDER:
            count = per_status.get(status, 0)
            if not count or not total:
                continue
            w = _BAR_W * count / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{_BAR_H}" '
                f'fill="{STATUS_HEX[status]}"><title>{escape(target)} {escape(status)}: '
                f"{count} of {total}</title></rect>"
            )
            if w >= 26:
                ink = (
                    "#fff"
                    if status in ("ready", "crashed", "timed-out", "install-failed")
                    else "#000"
                )
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + _BAR_H / 2 + 4:.0f}" '
                    f'text-anchor="middle" fill="{ink}">{count}</text>'
                )
            x += w
        parts.append(
            f'<text x="{_LABEL_W + _BAR_W + 6}" y="{y + _BAR_H / 2 + 4:.0f}" '
            f'fill="#555">{total}</text>'
        )
    legend_y = _TOP + len(targets) * (_BAR_H + _GAP) + 10
    for index, status in enumerate(STATUS_ORDER):
        lx = (index % 6) * 115
        ly = legend_y + (index // 6) * 20
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{STATUS_HEX[status]}" '
            'stroke="#999" stroke-width=".5"/>'
        )
        parts.append(f'<text x="{lx + 16}" y="{ly + 10}">{escape(status)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def summaries_chart_svg(
    summaries: Iterable[ProjectSummary], *, title: str = "Readiness per target"
) -> str:
    """The readiness chart of project summaries (current release of each project)."""
    return readiness_chart_svg(status_counts(summaries), title=title)
