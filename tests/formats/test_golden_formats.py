"""Golden output of every format for tests/assets/golden/requirements.txt against the small feed.

Regenerate after an intended change with ``FTTRACK_UPDATE_GOLDEN=1 pytest tests/formats``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tracker.audit.report import AuditReport
from tracker.audit.resolve import resolve
from tracker.audit.sources import open_source
from tracker.formats import FORMAT_NAMES, get_renderer
from tracker.formats.github import escape_data, escape_property
from tracker.verdicts.snapshot import SnapshotSource

GOLDEN = Path(__file__).resolve().parent.parent / "assets" / "golden"
SUFFIX = {"table": "txt", "json": "json", "markdown": "md", "github": "github.txt"}


@pytest.fixture()
def report(monkeypatch: pytest.MonkeyPatch) -> AuditReport:
    monkeypatch.chdir(GOLDEN)
    deps = list(open_source("requirements.txt").source)
    return resolve(
        deps,
        SnapshotSource("../feed-small.json"),
        target="3.14t",
        platform="manylinux_x86_64",
        input_name="requirements.txt",
    )


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_golden(report: AuditReport, name: str) -> None:
    text = get_renderer(name)(report, color=False, width=120)
    golden = GOLDEN / f"audit.{SUFFIX[name]}"
    if os.environ.get("FTTRACK_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_json_schema_is_stable(report: AuditReport) -> None:
    document = json.loads(get_renderer("json")(report))
    assert list(document) == [
        "schema",
        "input",
        "target",
        "platform",
        "source",
        "fail_on",
        "fail_on_likely",
        "dependencies",
        "skipped",
        "summary",
    ]
    assert list(document["dependencies"][0]) == [
        "name",
        "version",
        "specifier",
        "origin",
        "status",
        "evidence",
        "checked_at",
        "culprits",
        "inferred_from",
        "first_ready_version",
        "upgrade_untested",
        "upgrade_until",
        "category",
        "blocks",
        "via",
        "required_by",
        "detail",
    ]
    assert document["schema"] == 2
    assert document["summary"]["counts"]["gil-reenabled"] == 1
    assert document["summary"]["blockers"] == 3
    assert sum(document["summary"]["counts"].values()) == document["summary"]["total"]


def test_table_is_coloured_only_when_asked(report: AuditReport) -> None:
    plain = get_renderer("table")(report, color=False)
    coloured = get_renderer("table")(report, color=True, width=120)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured
    rows = [line for line in plain.splitlines()[3:] if not line.startswith("   ↳")][:3]
    assert all(row.startswith("✗") for row in rows)  # blockers first
    assert {row.split()[1] for row in rows} == {"charset-normalizer", "lxml", "uwsgi"}


def test_table_is_compact_unless_all_and_says_each_detail_once(report: AuditReport) -> None:
    compact = get_renderer("table")(report)
    full = get_renderer("table")(report, show_all=True)
    assert "numpy" not in compact and "3 ready not shown" in compact
    assert "numpy" in full and "not shown" not in full
    for text in (compact, full):
        details = [line for line in text.splitlines() if line.startswith("   ↳")]
        assert len(details) == len(set(details)) == 4  # one per row needing attention
        assert text.rstrip().splitlines()[-1] == report.summary_line()


def test_reports_carry_no_local_absolute_path(report: AuditReport) -> None:
    for name in FORMAT_NAMES:
        text = get_renderer(name)(report, show_all=True)
        assert str(GOLDEN.parent) not in text and "/work/" not in text and "/tmp/" not in text


def test_github_escaping() -> None:
    assert escape_data("50%\nnext") == "50%25%0Anext"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"
