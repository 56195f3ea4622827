"""The verdict vocabulary: every record is complete, and every renderer draws every status,
also one added at run time (a new status is one record)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from rich.console import Console

from tracker.api.schemas import TargetName
from tracker.audit.report import AuditEntry, AuditReport, MultiTargetReport
from tracker.badge_render import COLORS, badge_svg, every_badge, shields_endpoint
from tracker.chart import best_first, readiness_chart_svg
from tracker.commands.probe import print_result
from tracker.documents import (
    TARGET_NAMES,
    FeedDocument,
    ProjectSummary,
    SummaryFeed,
    TargetSummary,
    status_counts,
)
from tracker.formats import FORMAT_NAMES, get_multi_renderer, get_renderer
from tracker.models import TARGETS, Evidence, ModuleOutcome, ProbeResult
from tracker.site import index_rows, render_index_html
from tracker.vocabulary import (
    BLOCKING_STATUSES,
    MODULE_FAILURE_STATUSES,
    PALETTE,
    SAFE_STATUSES,
    STATUS_RECORDS,
    TARGET_RECORDS,
    WHEEL_STATUSES,
    Colour,
    Status,
    StatusRecord,
    by_severity,
    colour,
)
from tui.screens.help import legend
from tui.styles import status_text

_HEX = re.compile(r"^#[0-9a-f]{3}([0-9a-f]{3})?$")


def test_every_status_has_one_complete_record() -> None:
    assert set(STATUS_RECORDS) == set(Status)
    ranks = [r.rank for r in STATUS_RECORDS.values()]
    assert sorted(ranks) == list(range(len(Status)))  # one rank each, no gap
    for status, record in STATUS_RECORDS.items():
        assert record.description and record.description[0].islower(), status
        assert 0 < len(record.label) <= 7, status
        assert record.colour in PALETTE, status
        assert status.description == record.description
    assert by_severity()[0] is Status.GIL_REENABLED and by_severity()[-1] is Status.READY


def test_the_small_status_sets_are_read_from_the_records() -> None:
    """The audit's "nothing to upgrade for", its failed-module statuses and the first
    wheel's run are the records' flags, not sets written out elsewhere."""
    from tracker.documents.rules import _UNBLOCKED_WHEEL

    assert {Status.READY, Status.PURE} == SAFE_STATUSES
    assert not SAFE_STATUSES & BLOCKING_STATUSES
    assert {Status.IMPORT_FAILED, Status.CRASHED, Status.TIMED_OUT} == MODULE_FAILURE_STATUSES
    assert MODULE_FAILURE_STATUSES <= BLOCKING_STATUSES & WHEEL_STATUSES
    for status in MODULE_FAILURE_STATUSES:  # a module's outcome is spelled as the status
        assert ModuleOutcome(status.value).value == status.value
    assert {Status.READY, Status.WHEEL_ONLY, Status.PURE} == _UNBLOCKED_WHEEL


def test_every_colour_is_drawable() -> None:
    for key, entry in PALETTE.items():
        assert entry.terminal and Console().get_style(entry.terminal), key
        assert _HEX.match(entry.hex) and _HEX.match(entry.ink), key
        assert entry.badge in COLORS, key
    assert set(PALETTE) == {r.colour for r in STATUS_RECORDS.values()}  # no colour unused


def test_targets_have_one_home() -> None:
    names = tuple(r.name for r in TARGET_RECORDS)
    assert names == TARGET_NAMES == tuple(t.name for t in TARGETS)
    assert [t.value for t in TargetName] == list(names)
    assert all(r.name == f"{r.python}t" for r in TARGET_RECORDS)


def test_the_vocabulary_is_cheap_to_import() -> None:
    code = "import sys, tracker.vocabulary; print(sorted(m for m in sys.modules if m in " + (
        "{'packaging', 'rich', 'msgspec', 'tracker.models'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def new_status() -> Iterator[Status]:
    """A status added at run time: a member of :class:`Status`, one record, one colour."""
    member = str.__new__(Status, "half-ready")
    member._name_, member._value_ = "HALF_READY", "half-ready"
    member.__objclass__ = Status  # type: ignore[attr-defined]
    saved = (
        dict(Status._member_map_),
        list(Status._member_names_),
        dict(Status._value2member_map_),
    )
    Status._member_map_["HALF_READY"] = member
    Status._member_names_.append("HALF_READY")
    Status._value2member_map_["half-ready"] = member
    PALETTE["teal"] = Colour("bold cyan", "#00897b", "yellow", "#fff")
    ready = STATUS_RECORDS[Status.READY]  # the best: the new status comes just before it
    STATUS_RECORDS[member] = StatusRecord(
        "installs, but only some modules import without the GIL",
        ready.rank,
        blocks=False,
        ft_wheel=True,
        binary=True,
        label="half",
        colour="teal",
    )
    STATUS_RECORDS[Status.READY] = ready._replace(rank=ready.rank + 1)
    try:
        yield member
    finally:
        del STATUS_RECORDS[member], PALETTE["teal"]
        STATUS_RECORDS[Status.READY] = ready
        Status._member_map_.clear()
        Status._member_map_.update(saved[0])
        Status._member_names_[:] = saved[1]
        Status._value2member_map_.clear()
        Status._value2member_map_.update(saved[2])


def _report(status: Status, target: str = "3.14t") -> AuditReport:
    entries = tuple(
        AuditEntry(s.value, "1.0", "", "requirements.txt:1", s, Evidence.PROBE)
        for s in (Status.READY, status, Status.GIL_REENABLED)
    )
    return AuditReport("requirements.txt", target, "manylinux_x86_64", "test", entries)


def _draw_everywhere(status: Status) -> None:
    """Draw ``status`` with every front end; each must show it."""
    value = status.value
    record = STATUS_RECORDS[status]
    hue = PALETTE[record.colour]
    # the audit report: every format, one target and all targets, with and without colour
    report = _report(status)
    multi = MultiTargetReport(
        tuple(_report(status, t) for t in TARGET_NAMES), default_target=TARGET_NAMES[-1]
    )
    shown = record.blocks or record.rank < STATUS_RECORDS[Status.PURE].rank
    for name in FORMAT_NAMES:  # GitHub annotations speak only of what needs attention
        for color in (False, True):
            one = get_renderer(name)(report, color=color, width=120, show_all=True)
            every = get_multi_renderer(name)(multi, color=color, width=160, show_all=True)
            if name != "github" or shown:
                assert value in one and value in every, name
    assert [e.status for e in report.ordered()][-1] is Status.READY
    assert report.counts()[value] >= 1
    # badges
    summary = ProjectSummary("demo", targets={"3.14t": TargetSummary(status, Evidence.PROBE)})
    assert shields_endpoint(summary, "3.14t")["color"] == hue.badge
    assert COLORS[hue.badge] in badge_svg(summary, "3.14t")
    assert ("free-threaded 3.14t", value, hue.badge) in every_badge("3.14t")
    # the chart and the static site
    assert status_counts([summary])["3.14t"][value] == 1
    svg = readiness_chart_svg(status_counts([summary]))
    ET.fromstring(svg)
    assert hue.hex in svg and f">{value}<" in svg
    feed = SummaryFeed(projects=[summary])
    html = render_index_html(feed)
    statuses = [s.value for s in best_first()]
    assert f"td.{value}{{background:{hue.hex}" in html
    cell = index_rows(feed)[0][3][2]  # 3.14t: the second target
    assert statuses[int(cell, 16)] == value
    # fttrack probe
    buffer = io.StringIO()
    result = ProbeResult("demo", "1.0", "3.14t", "manylinux_x86_64", status)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("rich.console.Console", lambda: Console(file=buffer, width=200))
        print_result(result)
    assert value in buffer.getvalue()
    # the TUI
    assert status_text(status).plain == value and status_text(status, short=True).plain == (
        record.label
    )
    assert str(status_text(status).style) == hue.terminal
    assert value in legend().plain
    # documents carry it
    assert FeedDocument(summaries=[summary]).summaries[0].cell("3.14t").status is status


@pytest.mark.parametrize("status", list(Status))
def test_every_renderer_draws_every_status(status: Status) -> None:
    _draw_everywhere(status)


def test_a_new_status_is_one_record(new_status: Status) -> None:
    assert new_status in list(Status) and Status("half-ready") is new_status
    assert colour(new_status).hex == "#00897b"
    assert by_severity()[-2:] == (new_status, Status.READY)
    assert new_status not in BLOCKING_STATUSES  # derived sets are fixed at import
    _draw_everywhere(new_status)
