"""Interpreter discovery and verification against real interpreters."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tracker.config import load_settings
from tracker.errors import InterpreterError
from tracker.models import get_target
from tracker.pythons.discover import (
    BUILD_MARKER,
    binary_identity,
    check_interpreter,
    find_interpreter,
    find_interpreters,
    verify_interpreter,
)
from tracker.pythons.install import EXPECTED_MODULES, install_interpreter, missing_modules


def test_both_targets_are_found_and_verified() -> None:
    found = {i.target.name: i for i in find_interpreters(load_settings())}
    assert {"3.13t", "3.14t", "3.15t"} <= set(found)
    for name, interpreter in found.items():
        assert interpreter.version.startswith(name[:-1] + ".")
        assert any("t-" in s or s == ".so" for s in interpreter.extension_suffixes)


def test_a_gil_build_is_rejected() -> None:
    assert verify_interpreter(Path(sys.executable), "test") is None


def test_a_missing_or_broken_path_is_rejected(tmp_path: Path) -> None:
    fake = tmp_path / "python3.14t"
    fake.write_text("#!/bin/sh\necho not json\n")
    fake.chmod(0o755)
    assert verify_interpreter(fake, "test") is None
    assert verify_interpreter(tmp_path / "absent", "test") is None


def test_python_gil_in_the_environment_does_not_fool_verification(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_GIL", "1")  # would re-enable the GIL at start if passed through
    interpreter = find_interpreter(get_target("3.14t"), load_settings())
    assert verify_interpreter(interpreter.path, "test") is not None


def test_found_on_path_and_by_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = find_interpreter(get_target("3.13t"), load_settings())
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3.13t").symlink_to(real.path)
    empty_cache = tmp_path / "cache"
    monkeypatch.setenv("FTTRACK_CACHE_DIR", str(empty_cache))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(tmp_path / "no-uv"))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    sources = {i.source for i in find_interpreters(load_settings()) if i.target.name == "3.13t"}
    assert sources == {"path"}
    monkeypatch.setenv("FTTRACK_PYTHONS", str(real.path))
    first = find_interpreters(load_settings())[0]
    assert first.source == "configured" and first.target.name == "3.13t"


def test_no_interpreter_gives_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FTTRACK_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(tmp_path / "no-uv"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    with pytest.raises(InterpreterError, match=r"fttrack python install 3\.15t"):
        find_interpreter(get_target("3.15t"), load_settings())


def test_install_is_idempotent_and_instant() -> None:
    started = time.monotonic()
    interpreter, new = install_interpreter(get_target("3.14t"), load_settings())
    assert new is False
    assert time.monotonic() - started < 5
    assert interpreter.target.name == "3.14t"


def test_fttrack_builds_carry_their_configure_flags() -> None:
    settings = load_settings()
    builds = [i for i in find_interpreters(settings) if i.source == "fttrack-build"]
    for interpreter in builds:
        marker = json.loads((interpreter.prefix / BUILD_MARKER).read_text())
        assert "--disable-gil" in marker["configure"]
        assert marker["version"] == interpreter.version


def test_every_interpreter_has_the_standard_extension_modules() -> None:
    # A source build leaves out what it lacks a library for (3.15 builds no _decimal
    # without a system libmpdec unless told to use its own); `fttrack python install`
    # builds such an interpreter again.
    found = find_interpreters(load_settings())
    assert {i.target.name for i in found} >= {"3.13t", "3.14t", "3.15t"}
    for interpreter in found:
        assert missing_modules(interpreter.path) == [], interpreter.path


def test_missing_modules_names_what_an_interpreter_lacks(tmp_path: Path) -> None:
    # A stand-in interpreter: a script that runs this Python with _decimal blocked.
    fake = tmp_path / "python3.15t"
    fake.write_text(
        f"#!{sys.executable}\nimport sys\nsys.modules['_decimal'] = None\nexec(sys.argv[-1])\n"
    )
    fake.chmod(0o755)
    assert "_decimal" in EXPECTED_MODULES
    assert missing_modules(fake) == ["_decimal"]
    assert missing_modules(tmp_path / "absent") == []


def test_a_timed_out_check_is_not_conclusive(monkeypatch: pytest.MonkeyPatch) -> None:
    real = find_interpreter(get_target("3.14t"), load_settings())
    assert check_interpreter(real.path, "test") == (verify_interpreter(real.path, "test"), True)

    def slow(*args: object, **kwargs: object) -> None:
        raise subprocess.TimeoutExpired(cmd=str(real.path), timeout=30)

    monkeypatch.setattr(subprocess, "run", slow)
    assert check_interpreter(real.path, "test") == (None, False)


def test_binary_identity_follows_the_file(tmp_path: Path) -> None:
    binary = tmp_path / "python3.14t"
    binary.write_text("one")
    link = tmp_path / "link"
    link.symlink_to(binary)
    first = binary_identity(link)
    assert first is not None and first == binary_identity(binary)
    os.utime(binary, ns=(0, 10**9))
    assert binary_identity(link) != first
    assert binary_identity(tmp_path / "absent") is None


def test_concurrent_checks_parse_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python 3.11's AST constructor shares one recursion counter between threads, and
    concurrent ``ast.literal_eval`` calls corrupt it (a SystemError): the checks, which run
    on threads, must never parse at the same time."""
    real = find_interpreter(get_target("3.14t"), load_settings())
    inside = 0
    most = 0
    guard = threading.Lock()
    parse = ast.literal_eval

    def watched(text: str) -> object:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)
        try:
            return parse(text)
        finally:
            with guard:
                inside -= 1

    monkeypatch.setattr(ast, "literal_eval", watched)
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(lambda _: verify_interpreter(real.path, "test"), range(8)))
    assert all(interpreter is not None for interpreter in found)
    assert most == 1
