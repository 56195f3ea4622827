"""Discover free-threaded interpreters and verify that each really is one.

Places searched, in order: the paths configured in ``FTTRACK_PYTHONS``, fttrack's
own cache (interpreters it built), uv-managed installs, ``python3.13t`` /
``python3.14t`` / ``python3.15t`` on ``PATH``, and last fttrack's builds with a
shared libpython (so a target's first interpreter, the one probes use, is a
shared build only when asked for in ``FTTRACK_PYTHONS`` or when it is the only
one). A candidate counts only if it reports ``Py_GIL_DISABLED == 1`` and
``sys._is_gil_enabled()`` is False at start, run with ``PYTHON_GIL`` removed from
its environment.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tracker.config import Settings
from tracker.errors import InterpreterError
from tracker.models import TARGETS, Target, get_target

__all__ = [
    "BUILD_MARKER",
    "SHARED_SOURCE",
    "SHARED_SUFFIX",
    "Interpreter",
    "binary_identity",
    "candidate_interpreters",
    "check_interpreter",
    "find_interpreter",
    "find_interpreters",
    "uv_binary",
    "uv_python_dir",
    "uv_python_dir_inputs",
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

#: The checks run on threads, and Python 3.11's AST constructor keeps one recursion counter
#: per interpreter that concurrent parses corrupt ("AST constructor recursion depth
#: mismatch"): one parse at a time.
_PARSE_LOCK = threading.Lock()

#: A completed fttrack build carries this file in its prefix.
BUILD_MARKER = ".fttrack-build.json"

#: The prefix name's suffix of an fttrack build with a shared libpython
#: (``fttrack python install TARGET --shared``), and the source it is listed as.
SHARED_SUFFIX = "-shared"
SHARED_SOURCE = "fttrack-build-shared"


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


def binary_identity(path: Path) -> list[int] | None:
    """The file ``path`` leads to, as ``[st_dev, st_ino, st_size, st_mtime_ns]``: it
    changes when the file is replaced or rewritten (None when there is no such file)."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return [found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns]


def verify_interpreter(path: Path, source: str) -> Interpreter | None:
    """Run ``path`` once and return it as an :class:`Interpreter` if it is free-threaded."""
    return check_interpreter(path, source)[0]


def check_interpreter(path: Path, source: str) -> tuple[Interpreter | None, bool]:
    """:func:`verify_interpreter`'s answer, and whether it holds as long as the binary is
    unchanged (False when the check timed out: a loaded machine, not the interpreter)."""
    try:
        completed = subprocess.run(
            [str(path), "-I", "-S", "-c", _VERIFY_SCRIPT],
            capture_output=True,
            text=True,
            timeout=30,
            env=clean_environment(),
            check=False,
        )
        with _PARSE_LOCK:
            info = ast.literal_eval(completed.stdout.strip()[:65536])
        if not isinstance(info, dict):
            return None, True
    except subprocess.TimeoutExpired:
        return None, False
    except (OSError, subprocess.SubprocessError, ValueError, TypeError, SyntaxError):
        return None, True
    except (RecursionError, MemoryError):
        return None, True
    if not info.get("gil_disabled_build") or info.get("gil_enabled_at_start"):
        return None, True
    try:
        target = get_target(f"{info['major']}.{info['minor']}t")
    except ValueError:
        return None, True
    interpreter = Interpreter(
        path=path,
        version=str(info.get("full_version") or info["version"]),
        target=target,
        prefix=Path(info["prefix"]),
        source=source,
        extension_suffixes=tuple(info["extension_suffixes"]),
    )
    return interpreter, True


def uv_binary() -> str | None:
    """The uv executable: the one the ``uv`` package ships, else ``uv`` on PATH."""
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


#: The environment ``uv python dir`` reads to place its installs.
_UV_DIR_VARIABLES = ("UV_PYTHON_INSTALL_DIR", "XDG_DATA_HOME", "HOME")


def uv_python_dir_inputs() -> dict[str, object]:
    """What decides :func:`uv_python_dir`'s answer (no process started): the uv
    binary, the environment variables it reads and the effective uid."""
    uv = uv_binary()
    return {
        "uv": [uv, binary_identity(Path(uv)) if uv else None],
        "environment": {name: os.environ.get(name) for name in _UV_DIR_VARIABLES},
        "euid": os.geteuid(),
    }


def uv_python_dir() -> Path | None:
    """Where uv installs interpreters (``uv python dir``: starts uv unless
    ``UV_PYTHON_INSTALL_DIR`` is set), None without uv."""
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


def _candidates(
    settings: Settings, uv_dir: Callable[[], Path | None]
) -> Iterator[tuple[Path, str]]:
    for configured in settings.pythons:
        yield configured, "configured"
    builds = (
        sorted(settings.pythons_dir.iterdir(), reverse=True)
        if settings.pythons_dir.is_dir()
        else []
    )
    for prefix in builds:
        if (prefix / BUILD_MARKER).is_file() and not prefix.name.endswith(SHARED_SUFFIX):
            yield from ((p, "fttrack-build") for p in sorted(prefix.glob("bin/python3.*t")))
    installs = uv_dir()
    if installs and installs.is_dir():
        for install in sorted(installs.glob("cpython-3.*freethreaded*"), reverse=True):
            yield from ((p, "uv") for p in sorted(install.glob("bin/python3.*t")))
    for target in TARGETS:
        found = shutil.which(f"python{target.major}.{target.minor}t")
        if found:
            yield Path(found), "path"
    # Last: a target's default interpreter stays the one it was before a shared
    # build was added (a shared build is the default only where it is the only one).
    for prefix in builds:
        if (prefix / BUILD_MARKER).is_file() and prefix.name.endswith(SHARED_SUFFIX):
            yield from ((p, SHARED_SOURCE) for p in sorted(prefix.glob("bin/python3.*t")))


def candidate_interpreters(
    settings: Settings, *, uv_dir: Callable[[], Path | None] = uv_python_dir
) -> list[tuple[Path, str]]:
    """The places an interpreter may be, with where each was found, at most one per
    resolved file; nothing is started but ``uv_dir`` (by default ``uv python dir``)."""
    seen: set[Path] = set()
    candidates: list[tuple[Path, str]] = []
    for path, source in _candidates(settings, uv_dir):
        try:
            resolved = path.resolve(strict=True)
        except OSError:
            continue
        if resolved not in seen:
            seen.add(resolved)
            candidates.append((path, source))
    return candidates


def find_interpreters(settings: Settings) -> list[Interpreter]:
    """Every verified free-threaded interpreter, at most one per resolved file
    (the candidates are verified in parallel: each check starts the interpreter)."""
    candidates = candidate_interpreters(settings)
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
