"""Discover free-threaded interpreters and verify that each really is one.

Places searched, in order: the paths configured in ``FTTRACK_PYTHONS``, fttrack's
own cache (interpreters it built), uv-managed installs, and ``python3.13t`` /
``python3.14t`` / ``python3.15t`` on ``PATH``. A candidate counts only if it
reports ``Py_GIL_DISABLED == 1`` and ``sys._is_gil_enabled()`` is False at start,
run with ``PYTHON_GIL`` removed from its environment.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tracker.config import Settings
from tracker.errors import InterpreterError
from tracker.models import TARGETS, Target, get_target

__all__ = [
    "Interpreter",
    "find_interpreter",
    "find_interpreters",
    "uv_binary",
    "verify_interpreter",
]

#: Prints a dict literal (read with :func:`ast.literal_eval`): no json, no sysconfig to
#: import (a free-threaded build has ``t`` in its ABI flags), so each check starts fast.
_VERIFY_SCRIPT = """
import sys
from importlib.machinery import EXTENSION_SUFFIXES
flags = getattr(sys, "abiflags", None)
if flags is None:
    import sysconfig
    gil_disabled = sysconfig.get_config_var("Py_GIL_DISABLED") == 1
else:
    gil_disabled = "t" in flags
print(repr({
    "version": "%d.%d.%d" % sys.version_info[:3],
    "full_version": sys.version.split()[0],
    "major": sys.version_info[0],
    "minor": sys.version_info[1],
    "gil_disabled_build": gil_disabled,
    "gil_enabled_at_start": getattr(sys, "_is_gil_enabled", lambda: True)(),
    "prefix": sys.base_prefix,
    "extension_suffixes": list(EXTENSION_SUFFIXES),
}))
"""

#: A completed fttrack build carries this file in its prefix.
BUILD_MARKER = ".fttrack-build.json"


@dataclass(frozen=True)
class Interpreter:
    """A verified free-threaded interpreter."""

    path: Path
    version: str
    target: Target
    prefix: Path
    source: str
    extension_suffixes: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "target": self.target.name,
            "version": self.version,
            "path": str(self.path),
            "prefix": str(self.prefix),
            "source": self.source,
        }


def clean_environment() -> dict[str, str]:
    """The current environment without the variables that would hide a GIL re-enable."""
    env = dict(os.environ)
    for name in ("PYTHON_GIL", "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONWARNINGS"):
        env.pop(name, None)
    return env


def verify_interpreter(path: Path, source: str) -> Interpreter | None:
    """Run ``path`` once and return it as an :class:`Interpreter` if it is free-threaded."""
    try:
        completed = subprocess.run(
            [str(path), "-I", "-S", "-c", _VERIFY_SCRIPT],
            capture_output=True,
            text=True,
            timeout=30,
            env=clean_environment(),
            check=False,
        )
        info = ast.literal_eval(completed.stdout.strip()[:65536])
        if not isinstance(info, dict):
            return None
    except (OSError, subprocess.SubprocessError, ValueError, TypeError, SyntaxError):
        return None
    except (RecursionError, MemoryError):
        return None
    if not info.get("gil_disabled_build") or info.get("gil_enabled_at_start"):
        return None
    try:
        target = get_target(f"{info['major']}.{info['minor']}t")
    except ValueError:
        return None
    return Interpreter(
        path=path,
        version=str(info.get("full_version") or info["version"]),
        target=target,
        prefix=Path(info["prefix"]),
        source=source,
        extension_suffixes=tuple(info["extension_suffixes"]),
    )


def uv_binary() -> str | None:
    """The uv executable: the one the ``uv`` package ships, else ``uv`` on PATH."""
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def _uv_python_dir() -> Path | None:
    env_dir = os.environ.get("UV_PYTHON_INSTALL_DIR")
    if env_dir:
        return Path(env_dir)
    uv = uv_binary()
    if not uv:
        return None
    try:
        out = subprocess.run([uv, "python", "dir"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


def _candidates(settings: Settings) -> Iterator[tuple[Path, str]]:
    for configured in settings.pythons:
        yield configured, "configured"
    if settings.pythons_dir.is_dir():
        for prefix in sorted(settings.pythons_dir.iterdir(), reverse=True):
            if (prefix / BUILD_MARKER).is_file():
                yield from ((p, "fttrack-build") for p in sorted(prefix.glob("bin/python3.*t")))
    uv_dir = _uv_python_dir()
    if uv_dir and uv_dir.is_dir():
        for install in sorted(uv_dir.glob("cpython-3.*freethreaded*"), reverse=True):
            yield from ((p, "uv") for p in sorted(install.glob("bin/python3.*t")))
    for target in TARGETS:
        found = shutil.which(f"python{target.major}.{target.minor}t")
        if found:
            yield Path(found), "path"


def find_interpreters(settings: Settings) -> list[Interpreter]:
    """Every verified free-threaded interpreter, at most one per resolved file
    (the candidates are verified in parallel: each check starts the interpreter)."""
    seen: set[Path] = set()
    candidates: list[tuple[Path, str]] = []
    for path, source in _candidates(settings):
        try:
            resolved = path.resolve(strict=True)
        except OSError:
            continue
        if resolved not in seen:
            seen.add(resolved)
            candidates.append((path, source))
    if not candidates:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(candidates))) as pool:
        checked = list(pool.map(lambda pair: verify_interpreter(*pair), candidates))
    return [i for i in checked if i is not None]


def find_interpreter(target: Target, settings: Settings) -> Interpreter:
    """The first verified interpreter for ``target``, or an :class:`InterpreterError`."""
    for interpreter in find_interpreters(settings):
        if interpreter.target == target:
            return interpreter
    raise InterpreterError(
        f"no free-threaded {target.name} interpreter found; "
        f"run 'fttrack python install {target.name}' or set FTTRACK_PYTHONS"
    )
