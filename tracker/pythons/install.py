"""Install a free-threaded interpreter: ``uv python install`` first, else a source build."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from tracker.config import Settings
from tracker.errors import InterpreterError
from tracker.models import Target
from tracker.pythons.build import build_from_source
from tracker.pythons.discover import (
    SHARED_SOURCE,
    Interpreter,
    clean_environment,
    find_interpreters,
    uv_binary,
    verify_interpreter,
)

__all__ = ["EXPECTED_MODULES", "install_interpreter", "missing_modules"]


#: Standard extension modules every interpreter users have carries, and which a
#: source build leaves out silently when a library or header is missing.
EXPECTED_MODULES = ("_decimal", "_ctypes", "_ssl", "_sqlite3", "zlib", "_bz2", "_lzma", "_uuid")


def missing_modules(python: Path) -> list[str]:
    """The :data:`EXPECTED_MODULES` that ``python`` cannot find (empty when it cannot tell)."""
    script = (
        "import importlib.util\n"
        f"print(' '.join(m for m in {EXPECTED_MODULES!r} if importlib.util.find_spec(m) is None))"
    )
    try:
        completed = subprocess.run(
            [str(python), "-I", "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            env=clean_environment(),
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return completed.stdout.split() if completed.returncode == 0 else []


def _uv_install(target: Target, progress: Callable[[str], None]) -> bool:
    uv = uv_binary()
    if uv is None:
        return False
    progress(f"trying 'uv python install {target.name}'")
    try:
        completed = subprocess.run(
            [uv, "python", "install", target.name],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    if completed.returncode != 0:
        reason = (completed.stderr.strip().splitlines() or ["failed"])[-1]
        progress(f"uv could not install {target.name} ({reason.strip()}); building from source")
        return False
    return True


def install_interpreter(
    target: Target,
    settings: Settings,
    *,
    progress: Callable[[str], None] = lambda message: None,
    force_build: bool = False,
    tarball: Path | None = None,
    sha256: str | None = None,
    shared: bool = False,
) -> tuple[Interpreter, bool]:
    """Make sure a verified ``target`` interpreter exists; return it and whether it is new.

    ``shared`` asks for fttrack's source build with a shared libpython (never uv's):
    only such a build counts as installed, and one is built when there is none.
    Without it a shared build does not count either.
    """
    source = SHARED_SOURCE if shared else "fttrack-build"
    if not force_build:
        for interpreter in find_interpreters(settings):
            if interpreter.target != target or (interpreter.source == SHARED_SOURCE) != shared:
                continue
            built_here = interpreter.source == source
            if built_here and (missing := missing_modules(interpreter.path)):
                progress(
                    f"{interpreter.path} was built without {', '.join(missing)}: building again"
                )
                break
            return interpreter, False
        if tarball is None and not shared and _uv_install(target, progress):
            for interpreter in find_interpreters(settings):
                if interpreter.target == target and interpreter.source != SHARED_SOURCE:
                    return interpreter, True
    path = build_from_source(
        target,
        settings.pythons_dir,
        progress=progress,
        tarball_path=tarball,
        tarball_sha256=sha256,
        shared=shared,
    )
    built = verify_interpreter(path, source)
    if built is None:
        raise InterpreterError(f"{path}: the build finished but is not a free-threaded interpreter")
    return built, True
