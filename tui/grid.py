"""The project detail's content: the versions × (targets × platforms) grid, the
panel describing one release on one target, and the badge markdown.

Plain functions over a typed :class:`~tracker.documents.ProjectDocument` (no
Textual), so they are easy to test. Verdict facts come from
:mod:`tracker.documents` (the stored summary, :func:`effective_verdict`); this
module only lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from rich.text import Text

from tracker.documents import (
    TARGET_NAMES,
    ProbeBlock,
    ProjectDocument,
    ProjectSummary,
    ReleaseDocument,
    StressBlock,
    TargetVerdict,
    summaries_of,
)
from tracker.models import Culprit, Evidence, Status
from tracker.stress.result import stress_note
from tracker.vocabulary import STRESS_RECORDS, stress_colour
from tracker.wheels import PLATFORMS
from tui.rows import classifier_label
from tui.styles import short_platform, status_style, status_text, to_the_second

__all__ = [
    "ALL_PLATFORMS",
    "FIRST_READY_MARK",
    "GridColumn",
    "badge_markdown",
    "evidence_line",
    "grid_cell",
    "grid_columns",
    "header_text",
    "runnable",
    "stress_line",
    "summary_of",
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


def summary_of(document: ProjectDocument) -> ProjectSummary:
    """The document's stored summary (computed by :func:`tracker.documents.summarize`
    when the source did not send one)."""
    return summaries_of([document])[0]


def runnable(platform: str, machine: str | None) -> bool:
    """True when wheels for ``platform`` run on ``machine`` (pure wheels run anywhere).

    >>> runnable("any", "manylinux_x86_64"), runnable("win_amd64", "manylinux_x86_64")
    (True, False)
    """
    return platform in (ALL_PLATFORMS, "any") or platform == machine


def _platform_order(platform: str) -> int:
    if platform == "any":
        return -1
    return PLATFORMS.index(platform) if platform in PLATFORMS else len(PLATFORMS)


def grid_columns(document: ProjectDocument, machine: str | None = None) -> list[GridColumn]:
    """Per target, one column per platform any release has a free-threaded wheel for.

    The columns this machine (``machine``, a platform name) can run come first,
    for every target; then the other platforms, target by target.
    """
    columns: list[GridColumn] = []
    for target in TARGET_NAMES:
        seen = {p for r in document.releases if (v := r.targets.get(target)) for p in v.platforms}
        ordered = sorted(seen, key=lambda p: (_platform_order(p), p)) or [ALL_PLATFORMS]
        columns += [GridColumn(target, p) for p in ordered]
    order = {t: i for i, t in enumerate(TARGET_NAMES)}
    return sorted(
        columns, key=lambda c: (not runnable(c.platform, machine), order[c.target])
    )  # stable: platforms keep their order within a target


def grid_cell(release: ReleaseDocument, column: GridColumn, first_ready: str | None) -> Text:
    """The short, coloured status of ``release`` on a column's target and platform.

    A platform the release has no free-threaded wheel for shows ``no-ft``
    (what the auditor judges there); the first ready version is starred.
    """
    verdict = release.targets.get(column.target)
    if verdict is None:
        return status_text(Status.UNKNOWN, short=True)
    platforms = verdict.platforms
    covered = (
        column.platform == ALL_PLATFORMS
        or not platforms
        or column.platform in platforms
        or "any" in platforms
    )
    if not covered:
        return Text("no-ft", style="dim", end="")
    mark = f" {FIRST_READY_MARK}" if first_ready == release.version else ""
    return status_text(verdict.status, short=True, suffix=mark)


def header_text(document: ProjectDocument, summary: ProjectSummary) -> Text:
    """The lines above the grid: name, the maintainer's claim, watch reason, first ready."""
    text = Text(document.display_name or document.name, style="bold", end="")
    text.append("   maintainer says: ", style="dim")
    claim = classifier_label(document.classifier)
    text.append(claim or "nothing (no Free Threading classifier)", style="italic")
    if document.watch_reason:
        text.append(f"   watched: {document.watch_reason}", style="dim")
    text.append("\nfirst ready: ", style="dim")
    for i, target in enumerate(TARGET_NAMES):
        version = summary.cell(target).first_ready
        part, style = (f"{target} {version}", "green") if version else (f"{target} none", "dim")
        text.append(("  " if i else "") + part, style=style)
    text.append(f"   ({FIRST_READY_MARK} in the grid)", style="dim")
    return text


def _owner_note(project: str, owner: str) -> str:
    if not owner:
        return ""
    return "its own" if owner == project else f"from {owner}, a dependency"


def _culprit_text(project: str, culprits: Sequence[Culprit]) -> Text:
    text = Text(end="")
    for i, culprit in enumerate(culprits):
        if i:
            text.append(", ")
        text.append(culprit.module, style="bold")
        note = _owner_note(project, culprit.owner)
        if note:
            text.append(f" ({note})", style="dim")
    return text


def evidence_line(verdict: TargetVerdict) -> Text:
    """What the verdict stands on, in words: a probe (when), an inference (from which
    release), or the wheel tags only."""
    when = to_the_second(verdict.probed_at)
    if verdict.evidence is Evidence.PROBE:
        return Text(f"proven by a probe{', ' + when if when else ''}", end="")
    if verdict.evidence is Evidence.INFERRED:
        text = Text("likely ", end="")
        text.append(verdict.status.value, style=status_style(verdict.status))
        source = verdict.inferred_from or "a neighbouring release"
        text.append(f" (inferred from {source}: its probe{', ' + when if when else ''})")
        return text
    if verdict.evidence is Evidence.TAGS:
        return Text("from the wheel tags only (not probed)", end="")
    return Text("no evidence", end="")


def verdict_panel(
    document: ProjectDocument,
    release: ReleaseDocument,
    target: str,
    verdict: TargetVerdict | None,
    *,
    summary: ProjectSummary,
    details: bool = False,
) -> Text:
    """What is known about ``release`` on ``target``, compactly: the verdict and its
    evidence (``verdict``: the effective one), culprits with owners, first ready and
    first wheel, the maintainer's claim, and the release's own stress result (its
    tests in threads: never inferred). ``details`` adds the probe's modules,
    per-module timings and stderr tail, and the tests that failed in threads."""
    name = document.name
    text = Text(end="")
    text.append(f"{document.display_name or name} {release.version}", style="bold")
    if release.yanked:
        text.append(" (yanked)", style="red")
    text.append(f" on {target}: ")
    status = verdict.status if verdict is not None else Status.UNKNOWN
    text.append(status.value, style=status_style(status))
    text.append(f"\n  {status.description}", style="dim")
    if verdict is not None:
        text.append("\n  ")
        text.append(evidence_line(verdict))
        if verdict.culprits:
            text.append("\n  culprits: ", style="red")
            text.append(_culprit_text(name, verdict.culprits))
    cell = summary.cell(target)
    text.append("\n  first ready: ", style="dim")
    text.append(cell.first_ready or "none", style="green" if cell.first_ready else "dim")
    if cell.first_wheel:
        text.append("  · first wheel: ", style="dim")
        text.append(f"{cell.first_wheel} (untested)")
    text.append("  · maintainer says: ", style="dim")
    text.append(classifier_label(document.classifier) or "nothing", style="italic")
    if verdict is not None and verdict.platforms:
        shown = ", ".join(short_platform(p) for p in verdict.platforms)
        text.append(f"\n  free-threaded wheels for: {shown}", style="dim")
    probe = verdict.probe if verdict is not None else None
    if probe is not None:
        text.append("\n  ")
        text.append(_probe_line(probe))
        if details:
            text.append(_probe_details(name, probe))
    own = release.targets.get(target)
    if own is not None and own.stress is not None:
        text.append("\n  ")
        text.append(stress_line(own.stress, details=details))
    return text


_FAILING_SHOWN = 10


def stress_line(block: StressBlock, *, details: bool = False) -> Text:
    """The panel's lines on a stress result: its status, what it found and when; with
    ``details``, the tests that failed in threads and their class.

    >>> from tracker.vocabulary import StressStatus
    >>> stress_line(StressBlock(StressStatus.PASSED, stressed_at="2026-12-06T10:00:00Z",
    ...     tests_run=79)).plain
    'threads: passed · its own tests pass in 8 threads without the GIL (79 tests) · 2026-12-06'
    """
    text = Text("threads: ", style="dim", end="")
    text.append(STRESS_RECORDS[block.status].label, style=stress_colour(block.status).terminal)
    text.append(f" · {stress_note(block)}")
    if block.stressed_at:
        text.append(f" · {block.stressed_at[:10]}", style="dim")
    if details and block.failing:
        failing = sorted(block.failing.items())
        text.append(f"\n  failing in threads ({len(failing)}):", style="bold")
        for test, kind in failing[:_FAILING_SHOWN]:
            text.append(f"\n    {kind:<9}", style="red")
            text.append(test)
        if len(failing) > _FAILING_SHOWN:
            text.append(f"\n    (+{len(failing) - _FAILING_SHOWN} more)", style="dim")
    return text


def _probe_line(probe: ProbeBlock) -> Text:
    """One line: interpreter, sandbox, platform, how many modules, total time."""
    facts = [
        f"python {probe.interpreter or '?'}",
        f"sandbox {probe.sandbox or '?'}",
        short_platform(probe.platform) if probe.platform else "platform ?",
    ]
    if probe.modules:
        failing = sum(1 for m in probe.modules if m.outcome != "ok")
        facts.append(f"{len(probe.modules)} modules" + (f" ({failing} not ok)" if failing else ""))
    total = probe.timings.get("total")
    if total is not None:
        facts.append(f"{total:.2f} s")
    return Text("probe: " + " · ".join(facts), style="dim", end="")


def _probe_details(name: str, probe: ProbeBlock) -> Text:
    text = Text(end="")
    stages = {k: v for k, v in probe.timings.items() if not k.startswith("import:")}
    if stages:
        text.append("\n  timings: " + " · ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    if probe.modules:
        text.append(f"\n  modules ({len(probe.modules)}):", style="bold")
        width = max(len(m.name) for m in probe.modules)
        for module in probe.modules:
            style = "green" if module.outcome == "ok" else "red"
            text.append(f"\n    {module.outcome:<14}", style=style)
            text.append(f"{module.name:<{width}}")
            took = probe.timings.get(f"import:{module.name}")
            if took is not None:
                text.append(f"  {took:.3f} s", style="dim")
            note = _owner_note(name, module.owner)
            if note:
                text.append(f"  ({note})", style="dim")
            if module.detail:
                text.append(f"\n        {module.detail}", style="dim")
    if probe.detail:
        text.append("\n  detail: ", style="bold")
        text.append(probe.detail)
    tail = probe.stderr_tail.strip()
    if tail:
        text.append("\n  stderr (tail):", style="bold")
        for line in tail.splitlines()[-20:]:
            text.append(f"\n    {line}", style="dim")
    return text


def badge_markdown(public_url: str, name: str, target: str) -> str:
    """Markdown for the project's badge on ``target``, served by the tracker at ``public_url``.

    >>> badge_markdown("https://ft.example.org/", "numpy", "3.14t")
    '[![free-threaded 3.14t](https://ft.example.org/badges/numpy.svg?target=3.14t)](https://ft.example.org/api/v1/projects/numpy)'
    """
    base = public_url.rstrip("/")
    safe = quote(name, safe="")
    image = f"{base}/badges/{safe}.svg?target={quote(target, safe='')}"
    return f"[![free-threaded {target}]({image})]({base}/api/v1/projects/{safe})"
