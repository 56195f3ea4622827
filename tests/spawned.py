"""Record the command line and environment of every process this test process starts.

Python's audit events (``subprocess.Popen``, ``os.posix_spawn``, ``os.exec``,
``os.spawn``, ``os.system``) are raised by the standard library itself, in the
thread that starts the process, with the real argv and environment: what the
child's ``/proc/PID/cmdline`` and ``/proc/PID/environ`` will hold. Nothing of
fttrack is replaced; the processes really run::

    with recording() as spawned:
        ...  # the real code path
    assert not any("secret" in a for s in spawned for a in s.argv)
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Spawned", "recording"]


@dataclass(frozen=True)
class Spawned:
    """One process started: its argv and its environment (None: inherited)."""

    argv: tuple[str, ...]
    env: dict[str, str] | None = field(default=None)


_recorders: list[list[Spawned]] = []
_lock = threading.Lock()
_installed = False


def _text(value: Any) -> str:
    return os.fsdecode(value) if isinstance(value, (str, bytes, os.PathLike)) else str(value)


def _env(value: Any) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        return None
    return {_text(k): _text(v) for k, v in value.items()}


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _recorders:
        return
    if event == "subprocess.Popen":
        _executable, argv, _cwd, env = args
    elif event in ("os.posix_spawn", "os.exec"):
        _path, argv, env = args
    elif event == "os.spawn":
        _mode, _path, argv, env = args
    elif event == "os.system":
        argv, env = [args[0]], None
    else:
        return
    argv = [argv] if isinstance(argv, (str, bytes, os.PathLike)) else list(argv)
    spawned = Spawned(tuple(_text(a) for a in argv), _env(env))
    with _lock:
        for recorder in _recorders:
            recorder.append(spawned)


@contextmanager
def recording() -> Iterator[list[Spawned]]:
    """Every process started (by any thread of this process) inside the block."""
    global _installed
    with _lock:
        if not _installed:
            sys.addaudithook(_hook)  # for good: audit hooks cannot be removed
            _installed = True
        found: list[Spawned] = []
        _recorders.append(found)
    try:
        yield found
    finally:
        with _lock:
            _recorders.remove(found)
