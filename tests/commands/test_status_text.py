"""`fttrack status` drawn without rich says exactly what rich would draw."""

from __future__ import annotations

from typing import Any

import pytest

from tracker.commands import status_text
from tracker.commands.status import _print_report, source_coverage
from tracker.datafiles import data_file
from tracker.documents import TARGET_NAMES
from tracker.models import Status
from tracker.verdicts.snapshot import SnapshotSource


def _report() -> dict[str, Any]:
    source = SnapshotSource(data_file("snapshot.json.gz"))
    report: dict[str, Any] = {"source": source.describe()}
    report.update(source_coverage(source.summaries()))
    report.update(
        interpreters=[
            {"target": "3.14t", "version": "3.14.7"},
            {"target": "3.13t", "version": "3.13.15"},
        ],
        sandboxes=["bwrap", "unshare"],
    )
    return report


@pytest.mark.parametrize("width", [120, 100, 80, 60])
def test_plain_text_equals_rich(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _report()
    statuses = [s.value for s in Status]
    plain = status_text.plain_report(report, TARGET_NAMES, statuses, width)
    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setattr(status_text, "use_rich", lambda stream, environ: True)
    _print_report(report)
    drawn = capsys.readouterr().out
    if plain is None:  # only rich knows (a narrow console): it still drew something
        assert "verdicts per target" in drawn
    else:
        assert plain == drawn
    assert width < 80 or plain is not None  # the common widths never need rich
