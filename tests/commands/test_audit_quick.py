"""The console script's fast path for ``fttrack audit`` says and returns what the click
command does, and hands back every command line it does not take."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.commands import audit_quick
from tracker.commands.audit_quick import quick_audit

from ..audit.helpers import FEED, LOCKFILES

TAKEN = [
    [str(LOCKFILES / "uv.large.lock")],
    [str(LOCKFILES / "uv.large.lock"), "--target", "3.13t", "--all"],
    [str(LOCKFILES / "uv.large.lock"), "--target=3.14t", "--format", "json"],
    [str(LOCKFILES / "uv.lock"), "--format", "markdown", "--platform", "win_amd64"],
    [str(LOCKFILES / "uv.lock"), "--format", "github", "--ignore-likely", "--fail-on", "none"],
    [str(LOCKFILES / "poetry2.lock"), "--fail-on", "crashed,gil-reenabled"],
    [str(LOCKFILES / "pyproject.toml"), "--format-in", "requirements"],
    [str(LOCKFILES)],
    ["/nonexistent/uv.lock"],
]
HANDED_BACK = [
    [],
    ["--help"],
    [str(LOCKFILES / "uv.lock"), "--target", "all"],
    [str(LOCKFILES / "uv.lock"), "--target", "3.99t"],
    [str(LOCKFILES / "uv.lock"), "--format", "xml"],
    [str(LOCKFILES / "uv.lock"), "--fail-on", "bogus"],
    [str(LOCKFILES / "uv.lock"), "--platform", "solaris"],
    [str(LOCKFILES / "uv.lock"), "--server", "http://127.0.0.1:9"],
    [str(LOCKFILES / "uv.lock"), "--resolve"],
    [str(LOCKFILES / "uv.lock"), "--all", "--all"],
    [str(LOCKFILES / "uv.lock"), "--snapshot", str(LOCKFILES)],
    [str(LOCKFILES / "uv.lock"), "--target", "--all"],
    [str(LOCKFILES / "uv.lock"), "extra.lock"],
    ["--target", "3.14t"],
]


def _run(args: list[str], output: Path) -> tuple[object, str, str, str]:
    """``fttrack audit ARGS`` through the console script's entry point."""
    runner = CliRunner()
    with runner.isolation(env={"FTTRACK_SNAPSHOT": str(FEED), "NO_COLOR": "1"}) as (out, err, _):
        try:
            code = main(["audit", *args])
        except SystemExit as exc:
            code = exc.code
        written = output.read_text() if output.exists() else ""
        output.unlink(missing_ok=True)
        return code, out.getvalue().decode(), err.getvalue().decode(), written


@pytest.mark.parametrize("args", TAKEN, ids=lambda a: " ".join(Path(x).name for x in a))
def test_the_fast_path_says_what_the_command_says(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "report.txt"
    taken: list[object] = []

    def spy(argv: list[str]) -> int | None:
        try:
            code = quick_audit(argv)
        except SystemExit:  # an error, said as the entry point says it
            code = 2
        taken.append(code)
        if code == 2:
            raise SystemExit(2)
        return code

    for extra in ([], ["-o", str(output)]):
        with monkeypatch.context() as patch:
            patch.setattr(audit_quick, "quick_audit", spy)
            quick = _run([*args, *extra], output)
        with monkeypatch.context() as patch:
            patch.setattr(audit_quick, "quick_audit", lambda argv: None)
            assert quick == _run([*args, *extra], output)
    assert None not in taken and taken


@pytest.mark.parametrize("args", HANDED_BACK, ids=" ".join)
def test_what_the_fast_path_does_not_take_is_handed_back_untouched(
    args: list[str], tmp_path: Path
) -> None:
    runner = CliRunner()
    with runner.isolation(env={"FTTRACK_SNAPSHOT": str(FEED), "NO_COLOR": "1"}) as (out, err, _):
        assert quick_audit(args) is None
        assert (out.getvalue(), err.getvalue()) == (b"", b"")


def _last_line_after_an_audit(then: str) -> str:
    """The last line a fresh Python prints after ``main(['audit', LOCK])``, then ``then``."""
    code = f"import sys; from tracker.cli import main\ncode = main(['audit', sys.argv[1]])\n{then}"
    done = subprocess.run(
        [sys.executable, "-c", code, str(LOCKFILES / "uv.large.lock")],
        capture_output=True,
        text=True,
        env={"FTTRACK_SNAPSHOT": str(FEED), "NO_COLOR": "1", "PATH": ""},
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_fast_path_never_imports_click() -> None:
    last = _last_line_after_an_audit("print(code, 'click' in sys.modules, 'rich' in sys.modules)\n")
    assert last in ("0 False False", "1 False False")


def test_the_fast_path_loads_msgspec_without_typing_extensions_and_leaves_it_importable() -> None:
    last = _last_line_after_an_audit(
        "loaded = ['typing_extensions' in sys.modules, 'inspect' in sys.modules]\n"
        "import typing_extensions\n"
        "print(loaded, typing_extensions.__name__)\n"
    )
    assert last == "[False, False] typing_extensions"


def test_the_option_table_matches_the_click_command() -> None:
    """Every option the fast path reads is an option of the click command, of the same
    kind (a value or a flag, given once); the others are handed back, so the two cannot
    drift apart."""
    import click

    from tracker.commands.audit import audit

    options = {
        opt: param
        for param in audit.params
        if isinstance(param, click.Option)
        for opt in param.opts + param.secondary_opts
    }
    taken: dict[str, str] = {}  # the click parameter's name -> the fast path's key
    for table, is_flag in ((audit_quick._VALUED, False), (audit_quick._FLAGS, True)):
        for opt, key in table.items():
            param = options.get(opt)
            assert param is not None, f"{opt}: not an option of fttrack audit"
            assert param.is_flag is is_flag and not param.multiple, opt
            assert taken.setdefault(str(param.name), key) == key, opt
    assert len(set(taken.values())) == len(taken)  # one key per click parameter
    lock = str(LOCKFILES / "uv.lock")
    for opt, param in options.items():
        if opt not in audit_quick._VALUED and opt not in audit_quick._FLAGS:
            argv = [lock, opt] if param.is_flag else [lock, opt, "x"]
            assert audit_quick._parse(argv) is None, f"{opt}: the fast path would take it"
    assert audit_quick._parse([lock]) == {"path": lock}
    assert next(p for p in audit.params if p.name == "output_format").default == "table"
