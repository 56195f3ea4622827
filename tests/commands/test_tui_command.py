"""``fttrack tui``: options become an app over the same verdict source as ``fttrack audit``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tracker.cli import cli

FEED = Path(__file__).resolve().parents[1] / "assets" / "tui" / "feed.json"


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record the app instead of running it."""
    from tui.app import FttrackApp

    apps: list[Any] = []
    monkeypatch.setattr(FttrackApp, "run", lambda self, *a, **k: apps.append(self))
    monkeypatch.delenv("FTTRACK_BASE_URL", raising=False)
    return apps


def test_help_lists_the_keys_and_source_options() -> None:
    result = CliRunner().invoke(cli, ["tui", "--help"])
    assert result.exit_code == 0
    for word in ("--snapshot", "--db", "--server", "--target", "/ search", "LOCKFILE"):
        assert word in result.output


def test_options_reach_the_app(launched: list[Any], tmp_path: Path) -> None:
    lockfile = tmp_path / "requirements.txt"
    lockfile.write_text("six==1.17.0\n")
    result = CliRunner().invoke(
        cli,
        [
            "tui",
            str(lockfile),
            "--snapshot",
            str(FEED),
            "--target",
            "cp314t",
            "--platform",
            "macosx_arm64",
            "--base-url",
            "https://ft.example.org/",
        ],
    )
    assert result.exit_code == 0, result.output
    (app,) = launched
    assert app.source.kind == "snapshot" and app.source.path == FEED
    assert (app.target, app.platform, app.lockfile) == ("3.14t", "macosx_arm64", lockfile)
    assert app.base_url == "https://ft.example.org"


def test_server_is_the_default_badge_base(launched: list[Any]) -> None:
    result = CliRunner().invoke(cli, ["tui", "--server", "http://127.0.0.1:9/"])
    assert result.exit_code == 0, result.output
    assert launched[0].source.kind == "remote"
    assert launched[0].base_url == "http://127.0.0.1:9"


def test_bad_target_and_two_sources_are_usage_errors(launched: list[Any]) -> None:
    result = CliRunner().invoke(cli, ["tui", "--target", "2.7t"])
    assert result.exit_code == 2 and "unknown target" in result.output
    result = CliRunner().invoke(cli, ["tui", "--server", "http://x", "--snapshot", str(FEED)])
    assert result.exit_code == 2 and "choose one verdict source" in result.output
    assert launched == []
