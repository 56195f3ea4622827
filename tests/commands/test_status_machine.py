"""``fttrack status``'s machine report is kept in the cache directory: a second status
starts no process, a changed interpreter binary or ``--recheck`` checks again, and a
damaged file is ignored and written again."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tracker.commands import status as status_module
from tracker.commands.status import MACHINE_REPORT_FILE, machine_capabilities, status
from tracker.config import Settings, load_settings
from tracker.probe import sandbox as sandbox_module
from tracker.pythons.discover import find_interpreters


@pytest.fixture(scope="module")
def real_pythons() -> tuple[Path, ...]:
    """The free-threaded interpreters of this machine (a missing one is a failure)."""
    found = tuple(i.path for i in find_interpreters(load_settings()))
    assert len(found) >= 3
    return found


@pytest.fixture
def settings(tmp_path: Path, real_pythons: tuple[Path, ...]) -> Settings:
    """Settings whose cache directory is empty and whose interpreters are configured."""
    return dataclasses.replace(load_settings(), cache_dir=tmp_path / "cache", pythons=real_pythons)


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The argv of every process started from here on; each status in this test
    process starts as a new one would (no sandbox self-check remembered)."""
    argvs: list[list[str]] = []
    real = subprocess.Popen

    class Counting(real):  # type: ignore[misc,valid-type]
        def __init__(self, args: Any, *more: Any, **options: Any) -> None:
            argvs.append([str(a) for a in args])
            super().__init__(args, *more, **options)

    monkeypatch.setattr(subprocess, "Popen", Counting)
    monkeypatch.setattr(sandbox_module, "_checked", {})
    return argvs


def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what this process learned, as the next ``fttrack status`` would start."""
    monkeypatch.setattr(sandbox_module, "_checked", {})


def test_the_second_status_reads_the_kept_report(
    settings: Settings, started: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = machine_capabilities(settings)
    kept = settings.cache_dir / MACHINE_REPORT_FILE
    assert started and kept.is_file()
    assert {i["target"] for i in first["interpreters"]} >= {"3.13t", "3.14t", "3.15t"}
    written = kept.stat().st_mtime_ns
    started.clear()
    fresh_process(monkeypatch)
    assert machine_capabilities(settings) == first
    assert started == []  # no interpreter, no sandbox, not even uv
    assert kept.stat().st_mtime_ns == written


def test_recheck_checks_everything_again(
    settings: Settings, started: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = machine_capabilities(settings)
    started.clear()
    fresh_process(monkeypatch)
    assert machine_capabilities(settings, recheck=True) == first
    commands = {Path(argv[0]).name for argv in started}
    assert {p.name for p in settings.pythons} <= commands
    assert first["sandboxes"] == [] or commands & {"bwrap", "unshare"}


def test_a_changed_interpreter_binary_is_checked_again(
    tmp_path: Path,
    settings: Settings,
    started: list[list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrapper = tmp_path / "bin" / "python3.14t"
    wrapper.parent.mkdir()
    real = next(p for p in settings.pythons if p.name == "python3.14t")
    wrapper.write_text(f'#!/bin/sh\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    settings = dataclasses.replace(settings, pythons=(wrapper,))
    [found] = machine_capabilities(settings)["interpreters"]
    assert found["path"] == str(wrapper) and found["target"] == "3.14t"

    started.clear()
    fresh_process(monkeypatch)
    machine_capabilities(settings)
    assert started == []

    os.utime(wrapper, ns=(wrapper.stat().st_atime_ns, wrapper.stat().st_mtime_ns + 10**9))
    fresh_process(monkeypatch)
    assert machine_capabilities(settings)["interpreters"] == [found]
    assert [argv[0] for argv in started] == [str(wrapper)]  # that one alone, no sandbox

    started.clear()
    wrapper.unlink()  # replaced by a file that is no interpreter
    wrapper.write_text("#!/bin/sh\necho 'not python'\n")
    wrapper.chmod(0o755)
    fresh_process(monkeypatch)
    assert machine_capabilities(settings)["interpreters"] == []
    assert [argv[0] for argv in started] == [str(wrapper)]


def test_an_old_report_is_checked_again(
    settings: Settings, started: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    machine_capabilities(settings)
    kept = settings.cache_dir / MACHINE_REPORT_FILE
    report = json.loads(kept.read_text())
    report["sandboxes"]["checked"] -= status_module.MACHINE_REPORT_SECONDS + 1
    kept.write_text(json.dumps(report))
    started.clear()
    fresh_process(monkeypatch)
    machine_capabilities(settings)
    commands = {Path(argv[0]).name for argv in started}
    assert commands and not commands & {p.name for p in settings.pythons}  # sandboxes alone
    assert json.loads(kept.read_text())["sandboxes"]["checked"] > report["sandboxes"]["checked"]


@pytest.mark.parametrize(
    "damage",
    [
        b"\x00not json",
        b"",
        b'{"version": 1, "sandboxes": {"inputs": 1, "answer": 5, "checked": "x"}}',
        b'{"version": 1, "interpreters": {"/x": {"inputs": [], "answer": {"target": 3}}}}',
        b'{"version": 99}',
        b"[]",
    ],
)
def test_a_damaged_report_is_ignored_and_written_again(
    settings: Settings, started: list[list[str]], monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    expected = machine_capabilities(settings)
    kept = settings.cache_dir / MACHINE_REPORT_FILE
    kept.write_bytes(damage)
    fresh_process(monkeypatch)
    assert machine_capabilities(settings) == expected
    assert json.loads(kept.read_text())["version"] == 1
    started.clear()
    fresh_process(monkeypatch)
    assert machine_capabilities(settings) == expected
    assert started == []


def test_an_unwritable_cache_directory_only_costs_time(tmp_path: Path, settings: Settings) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("")
    settings = dataclasses.replace(settings, cache_dir=blocked / "cache")
    assert machine_capabilities(settings)["interpreters"]


def test_the_command_reads_and_rechecks(
    tmp_path: Path, real_pythons: tuple[Path, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("FTTRACK_CACHE_DIR", str(cache))
    monkeypatch.setenv("FTTRACK_PYTHONS", os.pathsep.join(map(str, real_pythons)))
    runner = CliRunner()
    outputs = []
    for arguments in ([], [], ["--recheck"]):
        (cache / MACHINE_REPORT_FILE).parent.mkdir(parents=True, exist_ok=True)
        if arguments:
            (cache / MACHINE_REPORT_FILE).write_text("{")
        result = runner.invoke(status, ["--json", *arguments])
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.output))
    assert outputs[0] == outputs[1] == outputs[2]
    assert json.loads((cache / MACHINE_REPORT_FILE).read_text())["version"] == 1
