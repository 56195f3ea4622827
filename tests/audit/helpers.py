"""Shared helpers for the auditor tests: paths to fixtures and an in-process CLI runner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from tracker.cli import main

ASSETS = Path(__file__).resolve().parent.parent / "assets"
LOCKFILES = ASSETS / "lockfiles"
FEED = ASSETS / "feed-small.json"


@dataclass(frozen=True)
class Run:
    """What one ``fttrack`` invocation produced."""

    code: int
    stdout: str
    stderr: str


def run_cli(argv: list[str], *, stdin: str | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``fttrack ARGV`` through the real entry point (``tracker.cli.main``)."""
    runner = CliRunner()
    environment = {"FTTRACK_SNAPSHOT": str(FEED), "NO_COLOR": "1", **(env or {})}
    with runner.isolation(input=stdin, env=environment) as (out, err, _):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        return Run(int(code or 0), out.getvalue().decode(), err.getvalue().decode())
