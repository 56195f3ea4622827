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
    Interpreter,
    find_interpreters,
    uv_binary,
    verify_interpreter,
)

__all__ = ["install_interpreter"]


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
) -> tuple[Interpreter, bool]:
    """Make sure a verified ``target`` interpreter exists; return it and whether it is new."""
    if not force_build:
        for interpreter in find_interpreters(settings):
            if interpreter.target == target:
                return interpreter, False
        if tarball is None and _uv_install(target, progress):
            for interpreter in find_interpreters(settings):
                if interpreter.target == target:
                    return interpreter, True
    path = build_from_source(
        target, settings.pythons_dir, progress=progress, tarball_path=tarball, tarball_sha256=sha256
    )
    built = verify_interpreter(path, "fttrack-build")
    if built is None:
        raise InterpreterError(f"{path}: the build finished but is not a free-threaded interpreter")
    return built, True
