"""Judging dependencies against the small hand-made feed (tests/assets/feed-small.json)."""

from __future__ import annotations

import pytest

from tracker.audit.report import AuditEntry
from tracker.audit.resolve import resolve
from tracker.documents import ProjectDocument, ReleaseDocument, TargetVerdict
from tracker.models import BLOCKING_STATUSES, Dependency, Evidence, Status
from tracker.verdicts.choose import TargetChoice, choose_target
from tracker.verdicts.snapshot import SnapshotSource

from .helpers import FEED


@pytest.fixture(scope="module")
def source() -> SnapshotSource:
    return SnapshotSource(FEED)


def _one(
    source: SnapshotSource,
    dep: Dependency,
    target: str = "3.15t",
    platform: str = "manylinux_x86_64",
) -> AuditEntry:
    report = resolve([dep], source, target=target, platform=platform, input_name="x")
    assert len(report.entries) == 1
    return report.entries[0]


def test_default_target_is_the_newest_probed(source: SnapshotSource) -> None:
    assert choose_target(source) == TargetChoice("3.15t", True)


def test_blocked_pin_names_the_first_ready_upgrade(source: SnapshotSource) -> None:
    entry = _one(source, Dependency("numpy", "2.4.6", "==2.4.6", origin="r.txt:1"))
    assert entry.status is Status.NO_FT_WHEEL
    assert entry.evidence is Evidence.TAGS
    assert entry.first_ready_version == "2.5.0"
    assert "upgrade numpy 2.4.6 → 2.5.0 for 3.15t" in entry.detail


def test_probe_verdict_carries_culprits_and_date(source: SnapshotSource) -> None:
    entry = _one(source, Dependency("charset-normalizer", "3.5.3"), target="3.14t")
    assert entry.status is Status.GIL_REENABLED
    assert entry.evidence is Evidence.PROBE
    assert entry.checked_at == "2026-11-04T11:00:00Z"
    assert [c.module for c in entry.culprits] == ["charset_normalizer.md"]
    assert entry.detail.startswith("importing charset_normalizer.md re-enables the GIL")
    assert entry.first_ready_version == "3.5.4"


def test_loose_requirement_is_judged_at_newest_allowed_non_yanked_final(
    source: SnapshotSource,
) -> None:
    entry = _one(source, Dependency("numpy", None, ">=2"))
    assert entry.version == "2.5.5"  # not 2.5.6 (yanked) nor 2.6.0rc1 (pre-release)
    assert entry.status is Status.READY
    capped = _one(source, Dependency("numpy", None, "<2.5"))
    assert capped.version == "2.4.6" and capped.status is Status.NO_FT_WHEEL


def test_unknown_project_and_untracked_version(source: SnapshotSource) -> None:
    assert _one(source, Dependency("not-tracked", "1.0")).status is Status.UNKNOWN
    entry = _one(source, Dependency("numpy", "1.0.0"))
    assert entry.status is Status.UNKNOWN
    assert entry.evidence is Evidence.NONE
    assert "newest tracked: 2.6.0rc1" in entry.detail


def test_platform_without_a_wheel_is_no_ft_wheel(source: SnapshotSource) -> None:
    entry = _one(source, Dependency("numpy", "2.5.5"), target="3.14t", platform="win_arm64")
    assert entry.status is Status.NO_FT_WHEEL
    assert "win_arm64" in entry.detail


def test_markers_exclude_and_duplicates_collapse(source: SnapshotSource) -> None:
    deps = [
        Dependency("six", "1.17.0", origin="a:1"),
        Dependency("six", "1.17.0", origin="a:2"),
        Dependency("colorama", "0.4.6", markers='sys_platform == "win32"', origin="a:3"),
        Dependency("mylib", skipped_reason="editable install: .", origin="a:4"),
    ]
    report = resolve(deps, source, target="3.14t", platform="manylinux_x86_64", input_name="a")
    assert [e.name for e in report.entries] == ["six"]
    assert [s.name for s in report.skipped] == ["colorama", "mylib"]
    assert "marker" in report.skipped[0].reason


def test_fail_on_decides_what_blocks(source: SnapshotSource) -> None:
    deps = [Dependency("uwsgi", "2.0.30"), Dependency("numpy", "2.5.5")]
    report = resolve(deps, source, target="3.14t", platform="manylinux_x86_64", input_name="r")
    assert report.fail_on == BLOCKING_STATUSES
    assert [e.name for e in report.blockers] == ["uwsgi"]
    lenient = resolve(
        deps,
        source,
        target="3.14t",
        platform="manylinux_x86_64",
        input_name="r",
        fail_on=frozenset({Status.GIL_REENABLED}),
    )
    assert lenient.blockers == ()


def test_probe_missing_callback_is_asked_for_unknown_projects(source: SnapshotSource) -> None:
    calls: list[tuple[str, str | None, str]] = []

    def probe(name: str, version: str | None, target: str) -> ProjectDocument | None:
        calls.append((name, version, target))
        verdict = TargetVerdict(
            Status.READY, Evidence.PROBE, platforms=["any"], probed_at="2026-11-25T01:00:00Z"
        )
        return ProjectDocument(name, releases=[ReleaseDocument("0.1", targets={target: verdict})])

    deps = [Dependency("brand-new", "0.1"), Dependency("six", "1.17.0")]
    report = resolve(
        deps,
        source,
        target="3.15t",
        platform="manylinux_x86_64",
        input_name="r",
        probe_missing=probe,
    )
    assert calls == [("brand-new", "0.1", "3.15t")]  # six was known: not probed
    assert report.entries[0].status is Status.READY
    assert report.entries[0].checked_at == "2026-11-25T01:00:00Z"
