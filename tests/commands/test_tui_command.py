"""``fttrack tui``: options become an app over the same verdict source as ``fttrack audit``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.verdicts.remote import RemoteSource
from tracker.verdicts.snapshot import SnapshotSource

FEED = Path(__file__).resolve().parents[1] / "assets" / "tui" / "feed.json"


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Any]:
    """Record the app instead of running it."""
    from tui.app import FttrackApp

    apps: list[Any] = []
    monkeypatch.setattr(FttrackApp, "run", lambda self, *a, **k: apps.append(self))
    monkeypatch.delenv("FTTRACK_PUBLIC_URL", raising=False)
    config = tmp_path / "config.toml"
    config.write_text("[fttrack]\n")
    monkeypatch.setenv("FTTRACK_CONFIG", str(config))
    return apps


def test_help_lists_the_keys_and_source_options() -> None:
    result = CliRunner().invoke(cli, ["tui", "--help"])
    assert result.exit_code == 0
    for word in ("--snapshot", "--db", "--server", "--target", "/ search", "LOCKFILE"):
        assert word in result.output
    for word in ("--public-url", "FTTRACK_PUBLIC_URL", "Tab filters"):
        assert word in result.output


def test_help_shows_no_rst_markup() -> None:
    result = CliRunner().invoke(cli, ["tui", "--help"])
    assert result.exit_code == 0
    for markup in ("``", ":func:", ":class:", "\\b", ".. "):
        assert markup not in result.output
    # the examples keep their line breaks (click's \b blocks)
    assert "\n  Examples:\n    fttrack tui " in result.output


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
            "--public-url",
            "https://ft.example.org/",
        ],
    )
    assert result.exit_code == 0, result.output
    (app,) = launched
    assert isinstance(app.source, SnapshotSource) and app.source.path == FEED
    assert (app.target, app.platform, app.lockfile) == ("3.14t", "macosx_arm64", lockfile)
    assert app.public_url == "https://ft.example.org"


def test_public_url_comes_from_the_environment(
    launched: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FTTRACK_PUBLIC_URL", "https://ft.example.net/")
    result = CliRunner().invoke(cli, ["tui", "--snapshot", str(FEED)])
    assert result.exit_code == 0, result.output
    assert launched[0].public_url == "https://ft.example.net"


def test_a_loopback_server_is_no_public_url(launched: list[Any]) -> None:
    result = CliRunner().invoke(cli, ["tui", "--server", "http://127.0.0.1:9/"])
    assert result.exit_code == 0, result.output
    assert isinstance(launched[0].source, RemoteSource)
    assert launched[0].public_url is None
    result = CliRunner().invoke(cli, ["tui", "--server", "https://ft.example.org/"])
    assert launched[1].public_url == "https://ft.example.org"


def test_bad_target_and_two_sources_are_usage_errors(launched: list[Any]) -> None:
    result = CliRunner().invoke(cli, ["tui", "--target", "2.7t"])
    assert result.exit_code == 2 and "unknown target" in result.output
    result = CliRunner().invoke(cli, ["tui", "--server", "http://x", "--snapshot", str(FEED)])
    assert result.exit_code == 2 and "choose one verdict source" in result.output
    assert launched == []
