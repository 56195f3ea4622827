"""A per-process cgroup with memory and pids limits, where the host lets us write one.

Supports the unified hierarchy (cgroup v2: ``memory.max``, ``pids.max``,
``cgroup.kill``) and the legacy one (v1: a ``pids`` and a ``memory``
controller mounted separately). When neither is writable, :func:`create`
returns None and the sandbox relies on rlimits alone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tracker.probe.owner import owned_name

__all__ = ["ProcessCgroup", "create", "parent_directories"]

_ROOT = Path("/sys/fs/cgroup")


@dataclass
class ProcessCgroup:
    """One or more cgroup directories (one per v1 controller, or one on v2)."""

    directories: list[Path] = field(default_factory=list)
    memory_dir: Path | None = None
    unified: bool = False

    def add_self(self) -> None:
        """Move the calling process into the cgroup (run in the child before exec)."""
        for directory in self.directories:
            (directory / "cgroup.procs").write_text(str(os.getpid()))

    def kill_all(self) -> None:
        """SIGKILL every process still in the cgroup."""
        for directory in self.directories:
            kill_file = directory / "cgroup.kill"
            if kill_file.exists():
                with contextlib.suppress(OSError):
                    kill_file.write_text("1")
                continue
            with contextlib.suppress(OSError):
                for pid in (directory / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(int(pid), signal.SIGKILL)

    def oom_killed(self) -> bool:
        """True when the memory limit was hit."""
        if self.memory_dir is None:
            return False
        try:
            if self.unified:
                events = (self.memory_dir / "memory.events").read_text()
                return any(
                    line.split()[0] == "oom_kill" and int(line.split()[1]) > 0
                    for line in events.splitlines()
                )
            return int((self.memory_dir / "memory.failcnt").read_text()) > 0
        except (OSError, ValueError, IndexError):
            return False

    def remove(self) -> None:
        """Kill what is left and remove the directories."""
        self.kill_all()
        for directory in self.directories:
            with contextlib.suppress(OSError):
                directory.rmdir()


def _own_path(controller: str) -> str:
    """This process's cgroup path for ``controller`` ("" for the v2 hierarchy)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _id, controllers, path = line.split(":", 2)
        if controllers.split(",") == [controller] or (controller == "" and controllers == ""):
            return path
    return "/"


def _make(parent: Path, limits: dict[str, str]) -> Path | None:
    # named after this process, so that a later start removes it if this one dies
    # (tracker.probe.leftovers)
    directory = parent / f"{owned_name('cgroup')}{uuid.uuid4().hex[:12]}"
    try:
        directory.mkdir()
    except OSError:
        return None
    try:
        for name, value in limits.items():
            (directory / name).write_text(value)
    except OSError:
        with contextlib.suppress(OSError):
            directory.rmdir()
        return None
    return directory


def parent_directories() -> list[Path]:
    """Where :func:`create` makes cgroups for this process (one per hierarchy or controller)."""
    try:
        if (_ROOT / "cgroup.controllers").exists():
            return [_ROOT / _own_path("").lstrip("/")]
        return [_ROOT / c / _own_path(c).lstrip("/") for c in ("pids", "memory")]
    except OSError:
        return []


def create(memory_bytes: int, max_pids: int) -> ProcessCgroup | None:
    """A fresh cgroup with the given limits, or None where cgroups are not writable."""
    try:
        if (_ROOT / "cgroup.controllers").exists():
            parent = _ROOT / _own_path("").lstrip("/")
            directory = _make(parent, {"memory.max": str(memory_bytes), "pids.max": str(max_pids)})
            if directory is None:
                return None
            return ProcessCgroup([directory], directory, unified=True)
        cgroup = ProcessCgroup()
        pids = _make(_ROOT / "pids" / _own_path("pids").lstrip("/"), {"pids.max": str(max_pids)})
        if pids is not None:
            cgroup.directories.append(pids)
        memory = _make(
            _ROOT / "memory" / _own_path("memory").lstrip("/"),
            {
                "memory.limit_in_bytes": str(memory_bytes),
                "memory.memsw.limit_in_bytes": str(memory_bytes),
            },
        ) or _make(
            _ROOT / "memory" / _own_path("memory").lstrip("/"),
            {"memory.limit_in_bytes": str(memory_bytes)},
        )
        if memory is not None:
            cgroup.directories.append(memory)
            cgroup.memory_dir = memory
        return cgroup if cgroup.directories else None
    except OSError:
        return None
