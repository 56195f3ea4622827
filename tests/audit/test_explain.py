"""``fttrack audit --explain NAME[==VERSION]``: one project's verdict, evidence, culprits,
upgrade hint, claim checks and recent changes, over the TUI's small fixed feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.audit.explain import explain
from tracker.commands.audit_quick import quick_audit
from tracker.verdicts.snapshot import SnapshotSource

from .helpers import run_cli

FEED = Path(__file__).resolve().parents[1] / "assets" / "tui" / "feed.json"
BASE = ["--snapshot", str(FEED), "--platform", "manylinux_x86_64"]


def test_a_pinned_blocked_release_names_its_culprit_upgrade_claims_and_changes() -> None:
    run = run_cli(["audit", "--explain", "charset-normalizer==3.5.3", "--target", "3.14t", *BASE])
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("charset-normalizer 3.5.3 on 3.14t (manylinux_x86_64)")
    fields = {line[2:12].strip(): line[13:] for line in lines[1:] if line[2:12].strip()}
    assert fields["verdict"] == "gil-reenabled"
    assert fields["evidence"] == "probe, probed 2026-11-04"
    assert fields["culprits"].startswith("charset_normalizer.md")
    assert fields["upgrade"] == "3.5.4"
    assert fields["current"] == "3.5.4"
    assert "wheel-undeclared:" in run.stdout and "classifier-missing:" in run.stdout
    assert fields["changes"] == "2026-11-20  fixed: 3.5.3 gil-reenabled → 3.5.4 ready"


def test_json_holds_the_same_facts() -> None:
    run = run_cli(["audit", "--explain", "numpy", "--target", "3.13t", "--format", "json", *BASE])
    assert run.code == 0, run.stderr
    found = json.loads(run.stdout)
    assert found["tracked"] is True
    assert found["target"] == "3.13t"
    assert found["entry"]["status"] == "no-ft-wheel"
    assert {c["kind"] for c in found["changes"]} == {"regressed", "target-dropped"}
    assert found["change_count"] == 2
    assert found["claims"] == []  # nothing probed on 3.13t for the current release


def test_an_untracked_project_says_so() -> None:
    found = explain(SnapshotSource(FEED), "no-such-project", target="3.14t", platform="any")
    assert not found.tracked
    assert found.entry.status.value == "unknown"
    assert "not tracked" in found.entry.detail
    assert found.changes == [] and found.claims == []


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["audit", "req.txt", "--explain", "numpy"], "give no PATH"),
        (["audit", "--explain", "numpy", "--format", "markdown"], "table or json"),
        (["audit", "--explain", "numpy", "--target", "all"], "--target all"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(argv: list[str], needle: str) -> None:
    run = run_cli([*argv, "--snapshot", str(FEED)])
    assert run.code == 2
    assert needle in run.stderr


@pytest.mark.parametrize(
    "args", [["--explain", "numpy"], ["--explain=numpy"], ["req.txt", "--explain", "numpy"]]
)
def test_the_fast_path_hands_explain_to_click(args: list[str]) -> None:
    runner = CliRunner()
    with runner.isolation(env={"FTTRACK_SNAPSHOT": str(FEED), "NO_COLOR": "1"}) as (out, err, _):
        assert quick_audit(args) is None
        assert (out.getvalue(), err.getvalue()) == (b"", b"")
