"""The project detail's content: the versions × (targets × platforms) grid, the
panel describing one release on one target, and the badge markdown.

Plain functions over a project document (no Textual), so they are easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from rich.text import Text

from tracker.models import Status
from tracker.verdicts.interface import ProjectDoc
from tracker.verdicts.listing import TARGET_NAMES
from tracker.wheels import PLATFORMS
from tui.styles import STATUS_STYLES, short_platform, status_text

__all__ = [
    "ALL_PLATFORMS",
    "GridColumn",
    "badge_markdown",
    "grid_cell",
    "grid_columns",
    "header_text",
    "releases",
    "verdict_panel",
]

#: Column "platform" of a target no release has any free-threaded wheel for.
ALL_PLATFORMS = "*"
FIRST_READY_MARK = "★"


@dataclass(frozen=True)
class GridColumn:
    """One column of the grid: a target and one of its platforms."""

    target: str
    platform: str

    @property
    def key(self) -> str:
        """The DataTable column key: ``3.14t|manylinux_x86_64``."""
        return f"{self.target}|{self.platform}"

    @property
    def label(self) -> Text:
        """Two header lines: the target, then the short platform."""
        below = "all" if self.platform == ALL_PLATFORMS else short_platform(self.platform)
        return Text(f"{self.target}\n{below}", no_wrap=True)


def releases(document: ProjectDoc) -> list[dict[str, Any]]:
    """The document's releases (newest first, as the feed orders them)."""
    return [r for r in document.get("releases") or [] if isinstance(r, dict) and "version" in r]


def _verdict(release: dict[str, Any], target: str) -> dict[str, Any]:
    targets = release.get("targets")
    entry = targets.get(target) if isinstance(targets, dict) else None
    return entry if isinstance(entry, dict) else {}


def _status(entry: dict[str, Any]) -> Status:
    try:
        return Status(str(entry.get("status")))
    except ValueError:
        return Status.UNKNOWN


def _platforms(entry: dict[str, Any]) -> list[str]:
    raw = entry.get("platforms")
    return [str(p) for p in raw] if isinstance(raw, list) else []


def _platform_order(platform: str) -> int:
    if platform == "any":
        return -1
    return PLATFORMS.index(platform) if platform in PLATFORMS else len(PLATFORMS)


def grid_columns(document: ProjectDoc) -> list[GridColumn]:
    """Per target, one column per platform any release has a free-threaded wheel for."""
    columns: list[GridColumn] = []
    every = releases(document)
    for target in TARGET_NAMES:
        seen = {p for r in every for p in _platforms(_verdict(r, target))}
        ordered = sorted(seen, key=lambda p: (_platform_order(p), p)) or [ALL_PLATFORMS]
        columns += [GridColumn(target, p) for p in ordered]
    return columns


def grid_cell(document: ProjectDoc, release: dict[str, Any], column: GridColumn) -> Text:
    """The short, coloured status of ``release`` on a column's target and platform.

    A platform the release has no free-threaded wheel for shows ``no-ft``
    (what the auditor judges there); the first ready version is starred.
    """
    entry = _verdict(release, column.target)
    status = _status(entry)
    platforms = _platforms(entry)
    covered = (
        column.platform == ALL_PLATFORMS
        or not platforms
        or column.platform in platforms
        or "any" in platforms
    )
    first = (document.get("first_ready") or {}).get(column.target)
    mark = f" {FIRST_READY_MARK}" if first == release.get("version") else ""
    if not covered:
        return Text("no-ft", style="dim", end="")
    return status_text(status, short=True, suffix=mark)


def header_text(document: ProjectDoc) -> Text:
    """The lines above the grid: name, the maintainer's claim, watch reason, first ready."""
    text = Text(str(document.get("display_name") or document.get("name")), style="bold", end="")
    classifier = document.get("classifier")
    claim = classifier.rsplit("::", 1)[-1].strip() if isinstance(classifier, str) else None
    text.append("   maintainer says: ", style="dim")
    text.append(claim or "nothing (no Free Threading classifier)", style="italic")
    watch = document.get("watch_reason")
    if isinstance(watch, str) and watch:
        text.append(f"   watched: {watch}", style="dim")
    text.append("\nfirst ready: ", style="dim")
    first = document.get("first_ready") or {}
    parts = []
    for target in TARGET_NAMES:
        version = first.get(target) if isinstance(first, dict) else None
        parts.append((f"{target} {version}", "green") if version else (f"{target} none", "dim"))
    for i, (part, style) in enumerate(parts):
        text.append(("  " if i else "") + part, style=style)
    text.append(f"   ({FIRST_READY_MARK} marks it in the grid)", style="dim")
    return text


def _owner_note(project: str, owner: str) -> str:
    if not owner:
        return ""
    return "its own" if owner == project else f"from {owner}, a dependency"


def verdict_panel(document: ProjectDoc, release: dict[str, Any], target: str) -> Text:
    """Everything known about ``release`` on ``target``: status, culprits, the probe."""
    name = str(document.get("name", ""))
    entry = _verdict(release, target)
    status = _status(entry)
    text = Text(end="")
    text.append(f"{name} {release.get('version')}", style="bold")
    if release.get("yanked"):
        text.append(" (yanked)", style="red")
    text.append(f" on {target}: ")
    text.append(status.value, style=STATUS_STYLES[status])
    evidence = entry.get("evidence") or "none"
    probed_at = entry.get("probed_at")
    text.append(f"  [{evidence}{' ' + probed_at if probed_at else ''}]", style="dim")
    text.append(f"\n  {status.description}\n")
    platforms = _platforms(entry)
    if platforms:
        text.append("free-threaded wheels for: ", style="dim")
        text.append(", ".join(short_platform(p) for p in platforms) + "\n")
    culprits = [c for c in entry.get("culprits") or [] if isinstance(c, dict)]
    if culprits:
        text.append("culprits (re-enable the GIL):\n", style="bold red")
        for culprit in culprits:
            owner = str(culprit.get("owner") or "")
            note = _owner_note(name, owner)
            text.append(f"  {culprit.get('module')}")
            text.append(f"  {note}\n" if note else "\n", style="dim")
    probe = entry.get("probe")
    if isinstance(probe, dict):
        text.append(_probe_text(name, probe))
    elif entry:
        text.append("not probed: the verdict stands on the wheel tags only\n", style="dim")
    return text


def _probe_text(name: str, probe: dict[str, Any]) -> Text:
    text = Text(end="")
    text.append("probe: ", style="bold")
    facts = [
        f"interpreter {probe.get('interpreter') or '?'}",
        f"sandbox {probe.get('sandbox') or '?'}",
        f"platform {probe.get('platform') or '?'}",
    ]
    timings = probe.get("timings")
    if isinstance(timings, dict):
        facts += [
            f"{key} {value:.2f}s" if isinstance(value, (int, float)) else f"{key} {value}"
            for key, value in timings.items()
        ]
    text.append(" · ".join(facts) + "\n")
    modules = [m for m in probe.get("modules") or [] if isinstance(m, dict)]
    if modules:
        text.append(f"modules ({len(modules)}):\n", style="bold")
        width = max(len(str(m.get("name", ""))) for m in modules)
        for module in modules:
            outcome = str(module.get("outcome", ""))
            style = "green" if outcome == "ok" else "red"
            text.append(f"  {outcome:<14}", style=style)
            text.append(f"{module.get('name', '')!s:<{width}}")
            note = _owner_note(name, str(module.get("owner") or ""))
            if note:
                text.append(f"  ({note})", style="dim")
            module_detail = str(module.get("detail") or "")
            if module_detail:
                text.append(f"\n      {module_detail}", style="dim")
            text.append("\n")
    detail = probe.get("detail")
    if isinstance(detail, str) and detail:
        text.append("detail: ", style="bold")
        text.append(detail + "\n")
    tail = probe.get("stderr_tail")
    if isinstance(tail, str) and tail.strip():
        text.append("stderr (tail):\n", style="bold")
        for line in tail.strip().splitlines()[-20:]:
            text.append(f"  {line}\n", style="dim")
    return text


def badge_markdown(base_url: str, name: str, target: str) -> str:
    """Markdown for the project's badge on ``target``, served by the tracker at ``base_url``.

    >>> badge_markdown("https://ft.example.org/", "numpy", "3.14t")
    '[![free-threaded 3.14t](https://ft.example.org/badges/numpy.svg?target=3.14t)](https://ft.example.org/api/v1/projects/numpy)'
    """
    base = base_url.rstrip("/")
    safe = quote(name, safe="")
    image = f"{base}/badges/{safe}.svg?target={quote(target, safe='')}"
    return f"[![free-threaded {target}]({image})]({base}/api/v1/projects/{safe})"
