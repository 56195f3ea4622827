"""Choosing a sandbox: the self-check runs once, slot uids avoid delegated ranges,
and a fall back to a weaker level is logged and kept on the verdict."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from testkit.wheelbuild import build_pure_wheel
from tracker.models import Status
from tracker.probe import Limits
from tracker.probe import sandbox as sandbox_module
from tracker.probe.runner import ProbeRequest, run_probe
from tracker.probe.sandbox import Sandbox, choose_sandbox, slot_base_uid
from tracker.pythons.discover import Interpreter

DEFAULT_SUBUID = "builder:100000:65536\nother:165536:65536\n"


def test_self_check_runs_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_module, "_checked", {})
    runs: list[str] = []
    real_run = Sandbox.run

    def counting_run(self: Sandbox, *args: object, **kwargs: object) -> object:
        runs.append(self.level)
        return real_run(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Sandbox, "run", counting_run)
    first = choose_sandbox()
    assert runs == [first.level]
    for _ in range(3):
        assert choose_sandbox().level == first.level
        assert choose_sandbox(level="unshare").level == "unshare"
    assert sorted(runs) == sorted({first.level, "unshare"})  # each kind checked once


def test_slot_uids_avoid_the_default_subordinate_range(tmp_path: Path) -> None:
    subuid = tmp_path / "subuid"
    subuid.write_text(DEFAULT_SUBUID)
    for pid in (1, 4242, 99999, 4_194_304):
        base = slot_base_uid(pid, [subuid])
        assert base + 16 <= 100_000 or base > 231_071
        assert base + 15 < 2**31 - 1


def test_slot_uids_move_past_a_range_delegated_over_them(tmp_path: Path) -> None:
    plain = slot_base_uid(7, [])
    subuid = tmp_path / "subuid"
    subuid.write_text(f"wide:{plain - 5}:100\nnext:{plain + 95}:10\nbad line\n")
    moved = slot_base_uid(7, [subuid])
    assert moved >= plain + 105  # past both the overlapping range and the one it ran into


def test_a_fallback_is_logged_and_described(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "bin" / "bwrap"
    broken.parent.mkdir()
    broken.write_text(
        "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n"
    )
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", f"{broken.parent}:/usr/bin:/bin")
    monkeypatch.setattr(sandbox_module, "_checked", {})
    with caplog.at_level(logging.WARNING, logger="tracker.probe.sandbox"):
        chosen = choose_sandbox()
    assert chosen.level == "unshare"
    assert chosen.description == (
        "unshare (bwrap unavailable: bwrap: No permissions to create new namespace)"
    )
    assert "falls back to 'unshare'" in caplog.text
    assert choose_sandbox(level="unshare").description == "unshare"  # asked for: no note


def test_the_verdict_shows_the_fallback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    interpreters: dict[str, Interpreter],
) -> None:
    broken = tmp_path / "bin" / "bwrap"
    broken.parent.mkdir()
    broken.write_text(
        "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n"
    )
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", f"{broken.parent}:/usr/bin:/bin")
    monkeypatch.setattr(sandbox_module, "_checked", {})
    wheel = build_pure_wheel(tmp_path / "wheels", "ftfallback", {"ftfallback/__init__.py": ""})
    result = run_probe(
        ProbeRequest(wheel=wheel, find_links=(wheel.parent,), offline=True),
        interpreter=interpreters.get("3.14t") or next(iter(interpreters.values())),
        sandbox=choose_sandbox(),
        uv_cache_dir=tmp_path / "uv-cache",
        limits=Limits(wall_seconds=60, idle_seconds=30),
    )
    assert result.status is Status.READY
    assert (
        result.sandbox
        == "unshare (bwrap unavailable: bwrap: setting up uid map: Permission denied)"
    )


def test_self_check_inputs_follow_the_programs_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = sandbox_module.self_check_inputs()
    assert first == sandbox_module.self_check_inputs()
    assert first["euid"] == os.geteuid()
    other = tmp_path / "bin" / "bwrap"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\nexit 1\n")
    other.chmod(0o755)
    monkeypatch.setenv("PATH", f"{other.parent}{os.pathsep}{os.environ['PATH']}")
    moved = sandbox_module.self_check_inputs()
    assert moved["programs"] != first["programs"]  # type: ignore[index]
    other.chmod(0o4755)  # a setuid bit decides too
    assert sandbox_module.self_check_inputs() != moved
