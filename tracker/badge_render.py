"""Badges: the shields.io endpoint JSON and an SVG drawn by fttrack itself.

Both speak of a project's current release (newest non-yanked final) on one
target. The endpoint JSON has exactly the keys shields.io accepts.

>>> shields_endpoint(None, "3.14t")["message"]
'not tracked'
>>> "&lt;b&gt;" in render_svg("<b>", "ready", "brightgreen")
True
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from tracker.documents import ProjectSummary
from tracker.models import Evidence
from tracker.vocabulary import STRESS_RECORDS, Status, colour, stress_colour

__all__ = [
    "CACHE_SECONDS",
    "COLORS",
    "badge_fields",
    "badge_slug",
    "badge_svg",
    "endpoint",
    "every_badge",
    "render_svg",
    "shields_endpoint",
    "stress_badge_fields",
    "stress_badge_svg",
    "stress_shields_endpoint",
    "text_width",
    "verified_badge_fields",
    "verified_badge_svg",
    "verified_markdown",
    "verified_shields_endpoint",
]

#: How long shields.io (and browsers) may cache a badge.
CACHE_SECONDS = 3600

#: The hex value of each named colour (the shields.io palette; a status's badge colour
#: is one of these names: :data:`tracker.vocabulary.PALETTE`).
COLORS: dict[str, str] = {
    "brightgreen": "#4c1",
    "green": "#97ca00",
    "yellow": "#dfb317",
    "orange": "#fe7d37",
    "red": "#e05d44",
    "lightgrey": "#9f9f9f",
    "grey": "#555",
}

# Approximate advance widths of Verdana at 11px, the badge font.
_NARROW = dict.fromkeys("ijl.,:;'!|", 3.2)
_SEMI = dict.fromkeys("frt()-/ ", 4.6)
_WIDE = dict.fromkeys("mwMW", 10.0)
_WIDTHS = {**_NARROW, **_SEMI, **_WIDE}


def text_width(text: str) -> float:
    """Estimated width in pixels of ``text`` in 11px Verdana."""
    total = 0.0
    for char in text:
        if char in _WIDTHS:
            total += _WIDTHS[char]
        elif char.isupper():
            total += 7.6
        else:
            total += 6.9
    return total


def badge_fields(summary: ProjectSummary | None, target: str) -> tuple[str, str, str]:
    """(label, message, named colour) for a project summary (None: not tracked).

    A verdict inferred from a neighbouring release reads "likely STATUS".
    """
    label = f"free-threaded {target}"
    if summary is None:
        return label, "not tracked", "lightgrey"
    cell = summary.cell(target)
    status = cell.status.value
    message = f"likely {status}" if cell.evidence is Evidence.INFERRED else status
    return label, message, colour(cell.status).badge


def shields_endpoint(summary: ProjectSummary | None, target: str) -> dict[str, Any]:
    """The shields.io endpoint badge: exactly ``schemaVersion``, ``label``, ``message``,
    ``color`` and ``cacheSeconds``."""
    return endpoint(*badge_fields(summary, target))


def endpoint(label: str, message: str, color: str) -> dict[str, Any]:
    """A badge's fields as a shields.io endpoint document (every badge kind's one form)."""
    return {
        "schemaVersion": 1,
        "label": label,
        "message": message,
        "color": color,
        "cacheSeconds": CACHE_SECONDS,
    }


def stress_badge_fields(summary: ProjectSummary | None, target: str) -> tuple[str, str, str]:
    """(label, message, named colour) of the threads badge (``?check=threads``): the
    current release's own tests run in threads on ``target`` (docs/stress.md).

    >>> stress_badge_fields(None, "3.14t")
    ('threads 3.14t', 'not tracked', 'lightgrey')
    >>> stress_badge_fields(ProjectSummary("six"), "3.14t")[1]
    'not run'
    """
    label = f"threads {target}"
    if summary is None:
        return label, "not tracked", "lightgrey"
    stress = summary.cell(target).stress
    if stress is None:
        return label, "not run", "lightgrey"
    return label, STRESS_RECORDS[stress.status].label, stress_colour(stress.status).badge


def stress_shields_endpoint(summary: ProjectSummary | None, target: str) -> dict[str, Any]:
    """The shields.io endpoint of the threads badge (the keys of :func:`shields_endpoint`)."""
    return endpoint(*stress_badge_fields(summary, target))


def stress_badge_svg(summary: ProjectSummary | None, target: str) -> str:
    """The SVG threads badge of a project summary on ``target``."""
    return render_svg(*stress_badge_fields(summary, target))


def render_svg(label: str, message: str, color: str) -> str:
    """A flat badge in the shields.io look; text is XML-escaped."""
    fill = COLORS.get(color, color if color.startswith("#") else COLORS["lightgrey"])
    left = round(text_width(label) + 10)
    right = round(text_width(message) + 10)
    total = left + right
    lx, rx = left * 5, (left + right / 2) * 10  # text is drawn at scale(.1)
    label_e, message_e = escape(label), escape(message)
    title = escape(f"{label}: {message}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}">'
        f"<title>{title}</title>"
        '<linearGradient id="s" x2="0" y2="100%">'
        '<stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        '<g clip-path="url(#r)">'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{fill}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="110">'
        f'<text x="{lx:.0f}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)">'
        f"{label_e}</text>"
        f'<text x="{lx:.0f}" y="140" transform="scale(.1)">{label_e}</text>'
        f'<text x="{rx:.0f}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)">'
        f"{message_e}</text>"
        f'<text x="{rx:.0f}" y="140" transform="scale(.1)">{message_e}</text>'
        "</g></svg>"
    )


def badge_svg(summary: ProjectSummary | None, target: str) -> str:
    """The SVG badge of a project summary on ``target``."""
    return render_svg(*badge_fields(summary, target))


def badge_slug(message: str) -> str:
    """A badge message as a file name: ``likely ready`` → ``likely-ready``."""
    return message.replace(" ", "-")


def every_badge(target: str) -> list[tuple[str, str, str]]:
    """(label, message, named colour) of every badge a tracked project can have on
    ``target``: each status, as probed or tagged and as inferred ("likely")."""
    label = f"free-threaded {target}"
    badges = []
    for status in Status:
        color = colour(status).badge
        badges.append((label, status.value, color))
        badges.append((label, f"likely {status.value}", color))
    return badges


def verified_badge_fields(summary: ProjectSummary | None, target: str) -> tuple[str, str, str]:
    """(label, message, named colour) of the verified badge: what was verified on
    ``target`` and when (``3.14t ready · probed 2026-12-01``; with a stress result that
    passed, ``3.14t ready · threads passed``).

    >>> from tracker.documents import ProjectSummary, TargetSummary
    >>> cell = TargetSummary(Status.READY, Evidence.PROBE, checked="2026-12-01")
    >>> verified_badge_fields(ProjectSummary("demo", targets={"3.14t": cell}), "3.14t")
    ('free-threading', '3.14t ready · probed 2026-12-01', 'brightgreen')
    """
    label = "free-threading"
    if summary is None:
        return label, f"{target} not tracked", "lightgrey"
    cell = summary.cell(target)
    status = cell.status.value
    if cell.evidence is Evidence.INFERRED:
        status = f"likely {status}"
    stress = getattr(cell, "stress", None)
    if stress is not None and str(stress.status) == "passed":
        proof = "threads passed"
    elif cell.checked:
        proof = f"probed {cell.checked}"
    else:
        proof = "not probed"
    return label, f"{target} {status} · {proof}", colour(cell.status).badge


def verified_shields_endpoint(summary: ProjectSummary | None, target: str) -> dict[str, Any]:
    """The verified badge as a shields.io endpoint."""
    return endpoint(*verified_badge_fields(summary, target))


def verified_badge_svg(summary: ProjectSummary | None, target: str) -> str:
    """The verified badge as SVG."""
    return render_svg(*verified_badge_fields(summary, target))


def verified_markdown(public_url: str, name: str, target: str | None = None) -> str:
    """The Markdown a maintainer pastes: the verified badge linking to the project's page.

    >>> print(verified_markdown("https://ft.example.org", "numpy", "3.14t"))
    [![free-threading](https://ft.example.org/badges/numpy/verified.svg?target=3.14t)](https://ft.example.org/api/v1/projects/numpy)
    """
    base = public_url.rstrip("/")
    query = f"?target={target}" if target else ""
    return (
        f"[![free-threading]({base}/badges/{name}/verified.svg{query})]"
        f"({base}/api/v1/projects/{name})"
    )
