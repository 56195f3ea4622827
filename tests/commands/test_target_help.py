"""Every ``--target`` help lists the targets of the vocabulary (it cannot go stale), and
``fttrack probe`` defaults to the target ``fttrack audit`` takes on the shipped snapshot."""

from __future__ import annotations

import click
from click.testing import CliRunner

from tracker.cli import cli
from tracker.commands.options import NEWEST_TARGET
from tracker.datafiles import snapshot_path
from tracker.verdicts.choose import choose_target
from tracker.verdicts.snapshot import SnapshotSource
from tracker.vocabulary import TARGET_RECORDS, default_probe_targets


def _commands(group: click.Group, ctx: click.Context) -> list[tuple[str, click.Command]]:
    """Every command under ``group`` (subgroups walked), with its path."""
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in _commands(command, ctx)]
        else:
            found.append((name, command))
    return found


def test_every_target_option_lists_the_vocabularys_targets() -> None:
    group = cli
    assert isinstance(group, click.Group)
    with click.Context(group) as ctx:
        commands = _commands(group, ctx)
    names = [t.name for t in TARGET_RECORDS]
    checked = []
    for path, command in commands:
        for option in command.params:
            if isinstance(option, click.Option) and option.name in ("target", "probe_targets"):
                listed = ", ".join(names)
                assert listed in (option.help or ""), (path, option.help)
                checked.append(path)
    assert {"audit", "probe", "stress", "tui", "crawl", "changes"} <= set(checked), checked
    done = CliRunner().invoke(group, ["probe", "--help"], terminal_width=200)
    assert f"[default: the newest, {NEWEST_TARGET}]" in done.output


def test_probe_and_audit_default_to_the_same_target() -> None:
    assert NEWEST_TARGET == default_probe_targets()[-1] == TARGET_RECORDS[-1].name
    assert choose_target(SnapshotSource(snapshot_path())).target == NEWEST_TARGET
