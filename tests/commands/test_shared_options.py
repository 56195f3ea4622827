"""``fttrack audit``, ``status`` and ``tui`` take the same verdict source options, and
``audit`` and ``tui`` the same ``--target``, from tracker/commands/options.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.commands.audit import audit
from tracker.commands.options import (
    DB_HELP,
    SERVER_HELP,
    SNAPSHOT_HELP,
    target_option,
    verdict_source_options,
)
from tracker.commands.status import status
from tracker.models import get_target
from tui.command import tui

COMMANDS = {"audit": audit, "status": status, "tui": tui}
SOURCE_OPTIONS = ("--server", "--db", "--snapshot")
SOURCE_HELP = {"--server": SERVER_HELP, "--db": DB_HELP, "--snapshot": SNAPSHOT_HELP}


def _options(command: click.Command) -> dict[str, click.Option]:
    return {
        name: param
        for param in command.params
        if isinstance(param, click.Option)
        for name in param.opts
    }


def _described(option: click.Option) -> dict[str, Any]:
    """What a user sees of an option, and what it gives the command (name, flags, help,
    metavar, type, default, ...)."""
    return option.to_info_dict()


def _decorated(decorator: Callable[[Any], Any]) -> dict[str, click.Option]:
    @click.command()
    @decorator
    def command(**_: Any) -> None:
        """Nothing."""

    return _options(command)


def test_three_commands_take_the_same_verdict_source_options() -> None:
    reference = _decorated(verdict_source_options)
    assert set(reference) == set(SOURCE_OPTIONS)
    for name, command in COMMANDS.items():
        options = _options(command)
        for flag in SOURCE_OPTIONS:
            assert _described(options[flag]) == _described(reference[flag]), (name, flag)
            assert options[flag].help == SOURCE_HELP[flag]


def test_the_snapshot_help_names_its_default() -> None:
    assert "$FTTRACK_SNAPSHOT" in SNAPSHOT_HELP and "data/snapshot.json.gz" in SNAPSHOT_HELP
    for command in COMMANDS:
        result = CliRunner().invoke(cli, [command, "--help"], terminal_width=200)
        assert result.exit_code == 0, result.output
        assert "$FTTRACK_SNAPSHOT" in result.output, command


def test_audit_and_tui_take_the_same_target_option() -> None:
    audit_target = _options(audit)["--target"]
    tui_target = _options(tui)["--target"]
    reference = _decorated(target_option())["--target"]
    assert _described(tui_target) == _described(reference)
    assert audit_target.metavar == "3.14t|all" and "'all'" in (audit_target.help or "")
    for option in (audit_target, tui_target):
        assert (option.help or "").endswith("[default: the newest one probed in the source].")
        assert "3.13t, 3.14t, 3.15t" in (option.help or "")


@pytest.mark.parametrize("allow_all", [False, True])
def test_target_is_parsed_once_into_a_target(allow_all: bool) -> None:
    seen: list[Any] = []

    @click.command()
    @target_option(allow_all=allow_all)
    def command(target: Any) -> None:
        """Record the value."""
        seen.append(target)

    runner = CliRunner()
    for text in ("3.14t", "3.14", "cp314t", " 3.14T "):
        assert runner.invoke(command, ["--target", text]).exit_code == 0
    assert runner.invoke(command, []).exit_code == 0
    assert seen == [get_target("3.14t")] * 4 + [None]
    result = runner.invoke(command, ["--target", "all"])
    if allow_all:
        assert result.exit_code == 0 and seen[-1] == "all"
    else:
        assert result.exit_code == 2 and "unknown target 'all'" in result.output


@pytest.mark.parametrize("command", ["audit", "tui"])
def test_a_bad_target_is_a_bad_parameter(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--target", "2.7t"])
    assert result.exit_code == 2
    assert "Invalid value for '--target'" in result.output
    assert "unknown target '2.7t' (known: 3.13t, 3.14t, 3.15t)" in result.output


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_two_sources_are_refused_alike(command: str, tmp_path: Path) -> None:
    from tracker.cli import main

    runner = CliRunner()
    argv = [command, "--server", "http://127.0.0.1:9", "--snapshot", str(tmp_path / "s.json")]
    if command == "audit":
        (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
        argv.append(str(tmp_path / "requirements.txt"))
    with runner.isolation() as (_, err, _):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2
        assert "choose one verdict source, not --server and --snapshot" in err.getvalue().decode()
