"""What dead probes left behind: scratch directories (a venv and wheels, gigabytes for
large wheels) and cgroups, found and removed at the next start.

A probe removes its directory and cgroups when it ends, unless its process is
killed (SIGKILL, the OOM killer). Both carry the name of the process that made
them (:mod:`tracker.probe.owner`): this installation's hash, the pid and the
start time. :func:`find_leftovers` lists those whose process is gone, never a
live probe's; :func:`remove_leftovers` removes them (every ``fttrack worker``
and ``fttrack serve`` start does), and ``fttrack status`` reports them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tracker.probe.cgroup import parent_directories
from tracker.probe.owner import installation_tag, owner_alive, parse_owned

__all__ = ["Leftover", "describe", "find_leftovers", "remove_leftovers"]

log = logging.getLogger("fttrack.probe")


@dataclass(frozen=True)
class Leftover:
    """A dead probe's ``directory`` or ``cgroup`` (``kind``) at ``path``, made by ``pid``."""

    kind: str
    path: Path
    pid: int
    size: int = 0  # bytes, for a directory


def _size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path, onerror=lambda _exc: None):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def _dead(names: list[Path], kind: str, tag: str) -> list[tuple[Path, int]]:
    found = []
    for path in names:
        owner = parse_owned(path.name, kind, tag)
        if owner is not None and not owner_alive(*owner):
            found.append((path, owner[0]))
    return found


def _children(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if p.name.startswith("fttrack-"))
    except OSError:
        return []


def find_leftovers(
    *, temp_dir: Path | None = None, cgroup_parents: list[Path] | None = None
) -> list[Leftover]:
    """This installation's probe directories and cgroups whose process is dead.

    ``temp_dir``: where probes make their directories (the system's temporary
    directory); ``cgroup_parents``: where they make cgroups (this process's own).
    """
    tag = installation_tag()
    where = temp_dir or Path(tempfile.gettempdir())
    found = [
        Leftover("directory", path, pid, _size(path))
        for path, pid in _dead([p for p in _children(where) if p.is_dir()], "probe", tag)
    ]
    parents = parent_directories() if cgroup_parents is None else cgroup_parents
    for parent in parents:
        found += [
            Leftover("cgroup", path, pid) for path, pid in _dead(_children(parent), "cgroup", tag)
        ]
    return found


def _remove_cgroup(path: Path) -> bool:
    """Kill what is left in the cgroup, then remove it (its processes take a moment to go)."""
    kill = path / "cgroup.kill"
    deadline = time.monotonic() + 5.0
    while True:
        if kill.exists():
            with contextlib.suppress(OSError):
                kill.write_text("1")
        else:
            with contextlib.suppress(OSError):
                for pid in (path / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(int(pid), signal.SIGKILL)
        try:
            path.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def remove_leftovers(
    *, temp_dir: Path | None = None, cgroup_parents: list[Path] | None = None
) -> list[Leftover]:
    """Remove what :func:`find_leftovers` finds; returns what was removed (one log line)."""
    removed: list[Leftover] = []
    for leftover in find_leftovers(temp_dir=temp_dir, cgroup_parents=cgroup_parents):
        if leftover.kind == "directory":
            shutil.rmtree(leftover.path, ignore_errors=True)
            gone = not leftover.path.exists()
        else:
            gone = _remove_cgroup(leftover.path)
        if gone:
            removed.append(leftover)
        else:
            log.warning("could not remove the dead probe's %s %s", leftover.kind, leftover.path)
    if removed:
        log.info("removed what dead probes left: %s", describe(removed))
    return removed


def describe(leftovers: list[Leftover]) -> str:
    """``2 directories (1.2 GB), 2 cgroups``.

    >>> describe([Leftover("directory", Path("/tmp/x"), 1, 2_500_000_000)])
    '1 directory (2.5 GB), 0 cgroups'
    """
    directories = [x for x in leftovers if x.kind == "directory"]
    cgroups = len(leftovers) - len(directories)
    size = sum(x.size for x in directories) / 1e9
    noun = "directory" if len(directories) == 1 else "directories"
    return (
        f"{len(directories)} {noun} ({size:.1f} GB), {cgroups} cgroup{'' if cgroups == 1 else 's'}"
    )
