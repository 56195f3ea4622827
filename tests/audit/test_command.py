"""``fttrack audit`` end to end through the real entry point: exit codes, options, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import FEED, LOCKFILES, run_cli


def test_exit_1_when_something_blocks_and_one_summary_line() -> None:
    run = run_cli(["audit", str(LOCKFILES / "poetry2.lock"), "--platform", "manylinux_x86_64"])
    assert run.code == 1
    assert "numpy" in run.stdout and "no-ft-wheel" in run.stdout
    last = run.stdout.strip().splitlines()[-1]
    assert last.startswith("8 dependencies on 3.15t (manylinux_x86_64): 2 block")
    assert "2 block" not in run.stderr  # said once: the table carries it
    as_json = run_cli(
        [
            "audit",
            str(LOCKFILES / "poetry2.lock"),
            "--platform",
            "manylinux_x86_64",
            "--format",
            "json",
        ]
    )
    assert as_json.stderr.strip().splitlines()[-1] == f"fttrack: {last}"


def test_exit_0_when_nothing_blocks() -> None:
    run = run_cli(
        ["audit", "-", "--target", "3.14t", "--format", "json"], stdin="numpy==2.5.5\nsix\n"
    )
    assert run.code == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["schema"] == 2
    assert document["input"] == "<stdin>"
    assert [d["name"] for d in document["dependencies"]] == ["numpy", "six"]
    assert document["summary"]["blockers"] == 0


def test_fail_on_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "audit.md"
    argv = [
        "audit",
        str(LOCKFILES / "requirements.txt"),
        "--target",
        "3.14t",
        "--platform",
        "manylinux_x86_64",
        "--format",
        "markdown",
        "--output",
        str(out),
    ]
    assert run_cli(argv).code == 1  # charset-normalizer re-enables the GIL on 3.14t
    assert run_cli([*argv, "--fail-on", "crashed,timed-out"]).code == 0
    assert run_cli([*argv, "--fail-on", "none"]).code == 0
    assert out.read_text().startswith("### ✅ fttrack: nothing blocks")


def test_directory_argument_says_which_file_it_chose() -> None:
    run = run_cli(["audit", str(LOCKFILES), "--format", "json"])
    assert "found uv.lock" in run.stderr
    assert json.loads(run.stdout)["input"].endswith("uv.lock")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["audit", "missing.txt"], "missing.txt: no such file"),
        (["audit", "-", "--target", "3.12t"], "unknown target"),
        (["audit", "-", "--fail-on", "bogus"], "unknown status 'bogus'"),
        (["audit", "-", "--platform", "amiga"], "amiga"),
        (["audit", "-", "--db", "sqlite:////nonexistent/x.db"], "no such file"),
        (["audit", "-", "--server", "ftp://x"], "expected an http"),
        (["audit", "-", "--snapshot", "/nonexistent/s.json.gz"], "no snapshot at"),
        (
            ["audit", "-", "--server", "http://127.0.0.1:9", "--db", "x"],
            "choose one verdict source",
        ),
        (["audit", "-", "--format-in", "setup.py"], "setup.py"),
        (["audit", __file__], "--format-in"),  # a file whose name says no format
        (["audit", "nosuch.cfg"], "no such file"),
    ],
)
def test_bad_usage_exits_2_with_one_line(argv: list[str], needle: str) -> None:
    run = run_cli(argv, stdin="six\n")
    assert run.code == 2
    assert needle in run.stderr
    assert "Traceback" not in run.stderr


def test_db_without_the_database_module_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "tracker.verdicts.database", None)
    run = run_cli(["audit", "-", "--db", "sqlite:///x.db"], stdin="six\n")
    assert run.code == 2
    assert "tracker.verdicts.database" in run.stderr and run.stderr.count("\n") == 1


def test_malformed_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "requirements.txt"
    bad.write_text("six\nnumpy >= = 2\n")
    run = run_cli(["audit", str(bad)])
    assert run.code == 2
    assert run.stderr.count("\n") == 1
    assert f"{bad}:2: invalid requirement" in run.stderr


def test_corrupt_snapshot_is_one_line(tmp_path: Path) -> None:
    snapshot = tmp_path / "s.json.gz"
    snapshot.write_bytes(b"\x1f\x8b not gzip at all")
    run = run_cli(["audit", "-", "--snapshot", str(snapshot)], stdin="six\n")
    assert run.code == 2
    assert "corrupt gzip" in run.stderr and run.stderr.count("\n") == 1


def test_help_teaches_with_examples() -> None:
    run = run_cli(["audit", "--help"])
    assert run.code == 0
    for needle in ("Examples:", "fttrack audit uv.lock --format json", "Exit codes", "--fail-on"):
        assert needle in run.stdout
    for needle in ("--resolve", "--python PYTHON", "--target 3.14t|all", "[PATH|-|DIR]"):
        assert needle in run.stdout


def test_snapshot_path_never_imports_heavy_modules(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from tracker.cli import main\n"
        "try:\n    main(['audit', sys.argv[1], '--format', 'json', '-o', sys.argv[2]])\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('httpx', 'sqlmodel', 'sqlalchemy', 'fastapi', 'textual', 'rich.console')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(LOCKFILES / "uv.lock"), str(tmp_path / "o.json")],
        capture_output=True,
        text=True,
        env={"FTTRACK_SNAPSHOT": str(FEED), "PATH": ""},
        check=True,
    )
    assert done.stdout.strip() == ""


def test_audit_keeps_the_gil_disabled_on_free_threaded_python(tmp_path: Path) -> None:
    """Run under a free-threaded interpreter (scripts/test does, with 3.14t): no module the
    audit imports (parsers, msgspec documents, formats) re-enables the GIL."""
    import subprocess
    import sys
    import sysconfig

    if not sysconfig.get_config_var("Py_GIL_DISABLED"):
        pytest.skip("needs a free-threaded interpreter (scripts/test runs this on 3.14t)")
    code = (
        "import sys; from tracker.cli import main\n"
        "for extra in (['--format', 'json'], ['--format', 'markdown'], ['--target', 'all']):\n"
        "    try:\n        main(['audit', sys.argv[1], '-o', sys.argv[2], *extra])\n"
        "    except SystemExit:\n        pass\n"
        "print(sys._is_gil_enabled())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(LOCKFILES / "uv.large.lock"), str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env={
            "FTTRACK_SNAPSHOT": str(FEED),
            "PATH": "",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        },
        check=True,
    )
    assert done.stdout.strip() == "False", done.stderr
    assert "GIL" not in done.stderr
