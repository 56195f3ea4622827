"""``fttrack audit --target all``: one status column per target; the default target
(the newest one probed) decides the exit code."""

from __future__ import annotations

import json

from .helpers import LOCKFILES, run_cli

POETRY = str(LOCKFILES / "poetry2.lock")
PLATFORM = ["--platform", "manylinux_x86_64"]


def test_table_has_a_status_column_per_target_and_hints_per_target() -> None:
    run = run_cli(["audit", POETRY, "--target", "all", *PLATFORM])
    lines = run.stdout.splitlines()
    header = next(line for line in lines if "package" in line)
    assert header.split()[:5] == ["package", "version", "3.13t", "3.14t", "3.15t"]
    charset = next(line for line in lines if "charset-normalizer" in line)
    assert charset.split()[2:6] == ["3.5.3", "wheel-only", "gil-reenabled", "no-ft-wheel"]
    hint = lines[lines.index(charset) + 1]
    assert "3.14t: upgrade → 3.5.4" in hint and "3.15t: upgrade → 3.5.4" in hint
    summaries = [line for line in lines if line.startswith("8 dependencies on ")]
    assert [s.split()[3] for s in summaries] == ["3.13t", "3.14t", "3.15t"]
    assert summaries[-1].endswith("(default target: decides the exit code)")
    assert "6 ready on every target not shown" in run.stdout


def test_exit_code_follows_the_default_target() -> None:
    # 3.15t (the default) blocks on poetry2.lock: numpy 2.4.6 has no cp315t wheel.
    assert run_cli(["audit", POETRY, "--target", "all", *PLATFORM]).code == 1
    # charset-normalizer 3.5.3 blocks on 3.14t and on the default 3.15t.
    argv = ["audit", "-", "--target", "all", *PLATFORM, "--format", "json"]
    run = run_cli(argv, stdin="charset-normalizer==3.5.3\n")
    document = json.loads(run.stdout)
    by_target = {t: r["summary"]["blockers"] for t, r in document["targets"].items()}
    assert by_target == {"3.13t": 0, "3.14t": 1, "3.15t": 1}
    assert run.code == 1
    numpy = run_cli(argv, stdin="numpy==2.5.5\n")
    by_target = {
        t: r["summary"]["blockers"] for t, r in json.loads(numpy.stdout)["targets"].items()
    }
    assert by_target["3.13t"] == 1 and by_target["3.15t"] == 0
    assert numpy.code == 0  # 3.13t blocks, but the default target does not


def test_json_has_one_report_per_target() -> None:
    run = run_cli(["audit", POETRY, "--target", "all", *PLATFORM, "--format", "json"])
    document = json.loads(run.stdout)
    assert document["schema"] == 2
    assert document["default_target"] == "3.15t"
    assert list(document["targets"]) == ["3.13t", "3.14t", "3.15t"]
    for target, report in document["targets"].items():
        assert report["target"] == target and report["schema"] == 2
        assert len(report["dependencies"]) == 8
    assert document["blockers"] == document["targets"]["3.15t"]["summary"]["blockers"] == 2
    assert len([x for x in run.stderr.splitlines() if x.startswith("fttrack: 8 dependencies")]) == 3


def test_markdown_has_a_column_per_target() -> None:
    run = run_cli(["audit", POETRY, "--target", "all", *PLATFORM, "--format", "markdown"])
    assert "| package | version | 3.13t | 3.14t | 3.15t | upgrade to |" in run.stdout
    row = next(line for line in run.stdout.splitlines() if "`charset-normalizer`" in line)
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2:5] == ["⚠️ `wheel-only`", "❌ `gil-reenabled`", "❌ `no-ft-wheel`"]
    assert cells[5] == "3.14t: 3.5.4; 3.15t: 3.5.4"
    assert run.stdout.startswith("### ❌ fttrack: 2 blockers for free-threaded `3.15t`")


def test_github_errors_only_for_the_default_target() -> None:
    run = run_cli(["audit", POETRY, "--target", "all", *PLATFORM, "--format", "github"])
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error")]
    assert errors and all("on 3.15t" in line for line in errors)
    assert any(
        line.startswith("::notice") and "on 3.14t" in line for line in run.stdout.splitlines()
    )


def test_a_row_missing_on_one_target_shows_a_dash() -> None:
    text = 'numpy==2.5.5\nsix==1.17.0 ; python_version >= "3.14"\n'
    run = run_cli(["audit", "-", "--target", "all", *PLATFORM, "--all"], stdin=text)
    six = next(line for line in run.stdout.splitlines() if line.split()[1:2] == ["six"])
    assert six.split()[3:6] == ["—", "pure", "pure"]
