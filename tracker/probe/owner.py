"""Names that say which process of which installation made a probe's directory or cgroup.

A probe's scratch directory and its cgroups are named
``fttrack-<kind>-<installation>-<pid>-<start>-<random>``: the installation is a
short hash of fttrack's cache directory, the pid and start time (clock ticks
since boot, from ``/proc/PID/stat``) are the process that made it. A pid
alone could be reused; with its start time it names one process for good, so
:func:`owner_alive` tells a live probe's leftovers-to-be from a dead one's.

>>> parse_owned("fttrack-probe-0123abcd-41-9876-x1y2", "probe", "0123abcd")
(41, '9876')
>>> parse_owned("fttrack-probe-ffffffff-41-9876-x1y2", "probe", "0123abcd") is None
True
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

__all__ = [
    "installation_tag",
    "owned_name",
    "owner_alive",
    "parse_owned",
    "process_start",
]


def process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot), or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()  # the name may hold spaces and parentheses
    if len(fields) <= 19 or fields[0] in ("Z", "X"):  # a zombie is dead, only not reaped
        return None
    return fields[19]


@functools.cache
def installation_tag() -> str:
    """A short hash of this installation's cache directory (``FTTRACK_CACHE_DIR``)."""
    from tracker.config import load_settings

    where = str(load_settings().cache_dir.expanduser().absolute())
    return hashlib.sha256(where.encode()).hexdigest()[:8]


def owned_name(kind: str) -> str:
    """The name prefix of a ``kind`` (``probe``, ``cgroup``) made now by this process."""
    pid = os.getpid()
    return f"fttrack-{kind}-{installation_tag()}-{pid}-{process_start(pid) or 0}-"


def parse_owned(name: str, kind: str, tag: str) -> tuple[int, str] | None:
    """(pid, start) of the process that made ``name``, when this installation made it."""
    prefix = f"fttrack-{kind}-{tag}-"
    if not name.startswith(prefix):
        return None
    parts = name[len(prefix) :].split("-")
    if len(parts) < 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), parts[1]


def owner_alive(pid: int, start: str) -> bool:
    """Whether the process ``pid`` that started at ``start`` still runs."""
    return process_start(pid) == start
