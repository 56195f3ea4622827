"""What a newcomer mistypes first gets an answer that says what is wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .helpers import LOCKFILES, run_cli


def test_a_missing_lockfile_is_no_such_file_not_an_unknown_format(tmp_path: Path) -> None:
    run = run_cli(["audit", str(tmp_path / "nosuch.lock")])
    assert run.code == 2 and run.stderr.strip().endswith("nosuch.lock: no such file")


def test_a_mistyped_command_names_the_nearest_one() -> None:
    run = run_cli(["audti", "requirements.txt"])
    assert run.code == 2 and "Did you mean 'audit'?" in run.stderr


def test_format_in_that_does_not_fit_says_what_the_name_says() -> None:
    run = run_cli(["audit", str(LOCKFILES / "uv.lock"), "--format-in", "poetry.lock"])
    assert run.code == 2
    assert "read as poetry.lock, but its name says uv.lock" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_the_tui_refuses_a_missing_lockfile_before_it_draws(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("fttrack")), "tui", str(tmp_path / "nosuch.lock")],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().endswith("nosuch.lock: no such file")
