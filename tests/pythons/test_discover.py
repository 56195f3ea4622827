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
    SHARED_SOURCE,
    binary_identity,
    candidate_interpreters,
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
    assert interpreter.source != SHARED_SOURCE


def test_the_shared_build_is_installed_and_never_the_default() -> None:
    # scripts/test installs it: `fttrack python install 3.14t --shared`.
    started = time.monotonic()
    shared, new = install_interpreter(get_target("3.14t"), load_settings(), shared=True)
    assert new is False
    assert time.monotonic() - started < 5
    assert shared.source == SHARED_SOURCE
    assert shared.prefix.name.endswith("-freethreaded-shared")
    marker = json.loads((shared.prefix / BUILD_MARKER).read_text())
    assert marker["shared"] is True and "--enable-shared" in marker["configure"]
    assert find_interpreter(get_target("3.14t"), load_settings()) != shared
    # It runs without LD_LIBRARY_PATH (an rpath to its own lib) and uses its own
    # libpython, not one of the system's.
    done = subprocess.run(
        [str(shared.path), "-I", "-S", "-c",
         "print(open('/proc/self/maps').read())"],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, check=True,
    )  # fmt: skip
    libraries = {line.split()[-1] for line in done.stdout.splitlines() if "libpython" in line}
    assert libraries == {str(shared.prefix / "lib" / "libpython3.14t.so.1.0")}
    # World-readable, as the sandbox runs probes as an unprivileged uid.
    for path in (shared.prefix / "lib" / "libpython3.14t.so.1.0", shared.path):
        assert os.stat(path).st_mode & 0o005 == 0o005


def test_shared_builds_come_after_every_other_candidate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sorted newest first, a shared build's prefix would come before the static one of
    # the same version: it is listed last, so a target's default stays the static one.
    pythons = tmp_path / "cache" / "pythons"
    for name in (
        "cpython-3.14.7-freethreaded",
        "cpython-3.14.7-freethreaded-shared",
        "cpython-3.14.8-freethreaded-shared",
        "cpython-3.13.15-freethreaded",
    ):
        (pythons / name / "bin").mkdir(parents=True)
        (pythons / name / "bin" / "python3.14t").write_text("")
        (pythons / name / BUILD_MARKER).write_text("{}")
    monkeypatch.setenv("FTTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    uv = tmp_path / "uv" / "cpython-3.14.7-linux-x86_64-freethreaded" / "bin"
    uv.mkdir(parents=True)
    (uv / "python3.14t").write_text("")
    found = candidate_interpreters(load_settings(), uv_dir=lambda: tmp_path / "uv")
    assert [(path.parent.parent.name, source) for path, source in found] == [
        ("cpython-3.14.7-freethreaded", "fttrack-build"),
        ("cpython-3.13.15-freethreaded", "fttrack-build"),
        ("cpython-3.14.7-linux-x86_64-freethreaded", "uv"),
        ("cpython-3.14.8-freethreaded-shared", SHARED_SOURCE),
        ("cpython-3.14.7-freethreaded-shared", SHARED_SOURCE),
    ]


def test_fttrack_builds_carry_their_configure_flags() -> None:
    settings = load_settings()
    builds = [i for i in find_interpreters(settings) if i.source.startswith("fttrack-build")]
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
