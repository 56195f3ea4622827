"""``tracker.audit.run``: one audit from request to reports, on the shipped snapshot and
the real lockfiles; ``fttrack audit`` prints what it returns."""

from __future__ import annotations

import json

import pytest

from tracker.audit.report import multi_report_to_json, report_to_json
from tracker.audit.resolve import ProbeMissing
from tracker.audit.run import AuditRequest, read_input, run_audit
from tracker.datafiles import data_file
from tracker.documents import ProjectDocument
from tracker.errors import InputError, SourceError
from tracker.models import Status, get_target
from tracker.verdicts.choose import choose_target
from tracker.verdicts.snapshot import SnapshotSource

from .helpers import LOCKFILES, run_cli

SNAPSHOT = data_file("snapshot.json.gz")
PLATFORM = "manylinux_x86_64"


@pytest.fixture(scope="module")
def source() -> SnapshotSource:
    return SnapshotSource(SNAPSHOT)


def test_default_target_is_the_one_choose_picks(source: SnapshotSource) -> None:
    run = run_audit(AuditRequest(str(LOCKFILES / "uv.lock"), platform=PLATFORM), source)
    assert run.default_target == choose_target(source).target == "3.15t"
    assert [r.target for r in run.reports] == ["3.15t"] and not run.every_target
    report = run.report
    assert report.platform == PLATFORM and report.input.endswith("uv.lock")
    names = {e.name for e in report.entries}
    assert {"numpy", "requests", "six", "urllib3"} <= names
    assert run.summary_lines() == [report.summary_line()]
    assert run.blockers == report.blockers


def test_the_cli_prints_the_same_report(source: SnapshotSource) -> None:
    path = str(LOCKFILES / "poetry2.lock")
    run = run_audit(AuditRequest(path, platform=PLATFORM), source)
    cli = run_cli(
        ["audit", path, "--snapshot", str(SNAPSHOT), "--platform", PLATFORM, "--format", "json"]
    )
    assert json.loads(cli.stdout) == report_to_json(run.report)
    assert cli.code == (1 if run.blockers else 0)


def test_every_target_one_report_each_and_the_default_decides(source: SnapshotSource) -> None:
    path = str(LOCKFILES / "requirements.txt")
    run = run_audit(AuditRequest(path, target="all", platform=PLATFORM), source)
    assert run.every_target
    assert tuple(r.target for r in run.reports) == source.targets()
    assert run.default_target == "3.15t" and run.report.target == "3.15t"
    assert run.blockers == run.report.blockers
    assert len(run.summary_lines()) == len(source.targets())
    cli = run_cli(
        [
            "audit",
            path,
            "--snapshot",
            str(SNAPSHOT),
            "--platform",
            PLATFORM,
            "--target",
            "ALL",
            "--format",
            "json",
        ]
    )
    assert json.loads(cli.stdout) == multi_report_to_json(run.multi)


def test_a_target_object_a_name_and_an_abi_tag_agree(source: SnapshotSource) -> None:
    path = str(LOCKFILES / "pdm.lock")
    answers = [
        report_to_json(run_audit(AuditRequest(path, target=t, platform=PLATFORM), source).report)
        for t in (get_target("3.13t"), "3.13t", "cp313t", "3.13")
    ]
    assert all(a == answers[0] for a in answers) and answers[0]["target"] == "3.13t"


class _Unprobed315(SnapshotSource):
    """The shipped snapshot as if nothing had been probed on 3.15t yet."""

    def probed_targets(self) -> tuple[str, ...]:
        return tuple(t for t in super().probed_targets() if t != "3.15t")


def test_notes_arrive_in_order_and_are_kept() -> None:
    heard: list[str] = []
    run = run_audit(
        AuditRequest(str(LOCKFILES), target="3.15t", platform=PLATFORM),
        _Unprobed315(SNAPSHOT),
        on_note=heard.append,
    )
    assert run.report.input.endswith("uv.lock")
    assert len(heard) == 2 and "found uv.lock" in heard[0]
    assert heard[1].startswith("nothing was probed on 3.15t in snapshot snapshot.json.gz")
    assert run.notes == tuple(heard)


def test_unknown_projects_say_which_source_lacks_them(source: SnapshotSource) -> None:
    requirements = LOCKFILES.parent / "tui" / "requirements.txt"
    run = run_audit(AuditRequest(str(requirements), platform=PLATFORM), source)
    (entry,) = [e for e in run.report.entries if e.name == "notinthefeed"]
    assert entry.status is Status.UNKNOWN
    assert entry.detail == "not tracked by the snapshot"


def test_probe_missing_is_built_per_target_and_asked_for_unknown_projects(
    source: SnapshotSource,
) -> None:
    built: list[tuple[str, str]] = []
    asked: list[tuple[str, str | None, str]] = []

    def factory(target: str, platform: str) -> ProbeMissing:
        built.append((target, platform))

        def probe(name: str, version: str | None, on: str) -> ProjectDocument | None:
            asked.append((name, version, on))
            return None

        return probe

    requirements = LOCKFILES.parent / "tui" / "requirements.txt"
    run_audit(
        AuditRequest(str(requirements), target="all", platform=PLATFORM, probe_missing=factory),
        source,
    )
    assert built == [(t, PLATFORM) for t in source.targets()]
    assert ("notinthefeed", "1.0", "3.14t") in asked


def test_fail_on_and_likely_reach_the_report(source: SnapshotSource) -> None:
    path = str(LOCKFILES / "requirements.txt")
    run = run_audit(
        AuditRequest(path, platform=PLATFORM, fail_on=frozenset(), fail_on_likely=False), source
    )
    assert run.blockers == () and run.report.fail_on == frozenset()


def test_bad_input_and_bad_target_are_fttrack_errors(source: SnapshotSource) -> None:
    with pytest.raises(InputError, match="no such file"):
        run_audit(AuditRequest(str(LOCKFILES / "missing.txt")), source)
    with pytest.raises(SourceError, match="unknown target"):
        run_audit(AuditRequest(str(LOCKFILES / "uv.lock"), target="2.7t"), source)


def test_read_input_needs_no_source() -> None:
    read = read_input(AuditRequest(str(LOCKFILES / "Pipfile.lock")))
    assert read.format_name == "Pipfile.lock" and read.name.endswith("Pipfile.lock")
    assert {"requests", "six"} <= {d.name for d in read.dependencies}
    assert read.note == "" and read.stdin_text is None


def test_a_source_opener_runs_after_the_input_is_read(source: SnapshotSource) -> None:
    opened: list[bool] = []

    def opener() -> SnapshotSource:
        opened.append(True)
        return source

    with pytest.raises(InputError):
        run_audit(AuditRequest(str(LOCKFILES / "missing.txt")), opener)
    assert opened == []
    run = run_audit(AuditRequest(str(LOCKFILES / "uv.lock"), platform=PLATFORM), opener)
    assert opened == [True] and run.report.source == source.describe()
