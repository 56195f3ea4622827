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
        "first_ready_version",
        "blocks",
        "detail",
    ]
    assert document["summary"]["counts"]["gil-reenabled"] == 1
    assert document["summary"]["blockers"] == 3
    assert sum(document["summary"]["counts"].values()) == document["summary"]["total"]


def test_table_is_coloured_only_when_asked(report: AuditReport) -> None:
    plain = get_renderer("table")(report, color=False)
    coloured = get_renderer("table")(report, color=True, width=120)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured
    rows = plain.splitlines()[3:6]
    assert all(row.startswith("✗") for row in rows)  # blockers first
    assert {row.split()[1] for row in rows} == {"charset-normalizer", "lxml", "uwsgi"}


def test_github_escaping() -> None:
    assert escape_data("50%\nnext") == "50%25%0Anext"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"
