"""Bad input gets one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CASES = [
    (["probe", "--wheel", "{tmp}/notes.txt", "--target", "3.14t"], "notes.txt: not a wheel"),
    (["probe", "numpy=>1", "--target", "3.14t"], "invalid requirement 'numpy=>1'"),
    (["probe", "--target", "3.14t"], "give either NAME[==VERSION] or --wheel PATH"),
    (["crawl", "numpy", "--db", "mysql://nowhere/x"], "unsupported database 'mysql'"),
    (["status", "--snapshot", "{tmp}/missing.json.gz"], "no snapshot at"),
    (["audit", "{tmp}/notes.txt", "--snapshot", "{tmp}/bad.json.gz"], "not a feed file"),
    (["python", "install", "3.99t"], "unknown target '3.99t'"),
]


@pytest.mark.parametrize(("argv", "message"), CASES, ids=[" ".join(c[0][:2]) for c in CASES])
def test_bad_input_is_one_line(argv: list[str], message: str, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("numpy==2.4.6\n")
    (tmp_path / "bad.json.gz").write_bytes(b"garbage")
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    completed = subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    assert message in completed.stderr
    errors = [
        line for line in completed.stderr.splitlines() if line.startswith(("error:", "Error:"))
    ]
    assert len(errors) == 1
