"""Read a probed interpreter's GIL flag from outside its process.

Everything inside the probed process can be changed by the package's code:
``sys._is_gil_enabled``, the probe child's own references, stderr, the
warnings machinery. So the host reads the flag itself, from the child's
memory, while the child is stopped.

In a free-threaded CPython the GIL's state is ``interp->_gil.enabled``, an
``int`` (0: disabled; 1 and up: enabled, ``INT_MAX`` when for good) of the main
interpreter, which lives inside the exported ``_PyRuntime`` of the executable.
Where it is comes from a trusted run of the same interpreter binary on the host
(:func:`locate`, which runs no package code): ``_PyRuntime`` starts with
``_Py_DebugOffsets`` (CPython 3.13 and later, for out-of-process debuggers),
which give the interpreter list's head and the offsets of ``_gil`` and
``enabled`` in it. The trusted run checks its answer both ways (``-X gil=0``
reads 0, ``-X gil=1`` reads non-zero) and reports the flag's distance from the
program's entry point. In the probed process the host adds that distance to
the entry point the kernel recorded at ``exec`` (``AT_ENTRY`` of
``/proc/PID/auxv``, which the process cannot change) and reads
``/proc/PID/mem`` there: no value the package can write is used to find it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import struct
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import InterpreterError

__all__ = ["GilLocation", "GilReadError", "find_interpreter_process", "locate", "read_gil"]

_AT_ENTRY = 9
_STOP_TIMEOUT = 5.0

# Run by the trusted interpreter itself (``-I -S``: no site, no .pth). The
# interpreter-state fields before ``ceval_gil`` in _Py_DebugOffsets: 8 in 3.13
# (size, id, next, threads_head, gc, imports_modules, sysdict, builtins), 9 from
# 3.14 on (threads_main added).
_CALIBRATE = r"""
import ctypes, json, struct, sys
def u64(addr): return struct.unpack("<Q", ctypes.string_at(addr, 8))[0]
rt = ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, "_PyRuntime"))
with open("/proc/self/auxv", "rb") as f:
    entry = dict(struct.iter_unpack("<QQ", f.read()))[9]
with open("/proc/self/maps") as f:
    exe = [l.split(None, 5)[-1].strip() for l in f
           if int(l.split("-")[0], 16) <= rt < int(l.split()[0].split("-")[1], 16)]
first = 9 if sys.version_info >= (3, 14) else 8
ceval_gil, gil_state, enabled = (u64(rt + 48 + 8 * (first + i)) for i in range(3))
head = u64(rt + u64(rt + 40))
flag = head + gil_state + enabled
print(json.dumps({
    "cookie": ctypes.string_at(rt, 8).decode("latin-1"), "version": u64(rt + 8),
    "hexversion": sys.hexversion, "free_threaded": u64(rt + 16), "mapped_from": exe,
    "executable": sys.executable, "size": u64(rt + 24), "interp": head - rt,
    "own_gil": u64(head + ceval_gil) == head + gil_state, "delta": flag - entry,
    "value": ctypes.c_int.from_address(flag).value, "gil": sys._is_gil_enabled(),
}))
"""


class GilReadError(Exception):
    """The host could not read the GIL flag of a probed process (the reason is the message)."""


@dataclass(frozen=True)
class GilLocation:
    """Where an interpreter binary keeps its GIL flag: its distance from the entry point."""

    executable: Path
    identity: tuple[int, int]  # (st_dev, st_ino) of the binary
    delta: int


def _identity(path: Path | str) -> tuple[int, int]:
    found = os.stat(path)
    return found.st_dev, found.st_ino


def _calibrate(python: Path, gil: int) -> dict[str, object]:
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    done = subprocess.run(
        [str(python), "-I", "-S", "-X", f"gil={gil}", "-c", _CALIBRATE],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise InterpreterError(f"{python}: cannot locate its GIL flag: {done.stderr[-300:]}")
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def _check(python: Path, off: dict[str, object], on: dict[str, object]) -> int:
    """The flag's distance from the entry point, once both trusted runs agree on it."""
    real = os.path.realpath(python)
    problems = []
    if off["cookie"] != "xdebugpy" or off["version"] != off["hexversion"]:
        problems.append("no _Py_DebugOffsets of this version at _PyRuntime")
    if off["free_threaded"] != 1:
        problems.append("not a free-threaded build")
    mapped = off["mapped_from"]
    if not isinstance(mapped, list) or [os.path.realpath(str(p)) for p in mapped] != [real]:
        problems.append(f"_PyRuntime is not in the executable (in {mapped}): a shared libpython")
    interp = off["interp"]
    if not (isinstance(interp, int) and isinstance(off["size"], int) and 0 < interp < off["size"]):
        problems.append("the main interpreter is not inside _PyRuntime")
    if not off["own_gil"]:
        problems.append("the main interpreter does not use its own GIL state")
    if off["delta"] != on["delta"]:
        problems.append("the flag moved between two runs")
    if (off["value"], off["gil"]) != (0, False) or on["gil"] is not True or on["value"] == 0:
        problems.append(f"the flag does not follow -X gil (0: {off['value']}, 1: {on['value']})")
    if problems:
        raise InterpreterError(f"{python}: cannot locate its GIL flag: {'; '.join(problems)}")
    delta = off["delta"]
    assert isinstance(delta, int)
    return delta


@functools.cache
def _locate(python: Path, _identity_key: tuple[int, int, int, int]) -> GilLocation:
    off, on = _calibrate(python, 0), _calibrate(python, 1)
    delta = _check(python, off, on)
    real = Path(os.path.realpath(python))
    return GilLocation(real, _identity(real), delta)


def locate(python: Path) -> GilLocation:
    """Where ``python`` (a free-threaded CPython 3.13+ binary, libpython linked in)
    keeps its GIL flag, from two trusted runs of it (kept per binary and process).

    Raises :class:`InterpreterError` when the answer cannot be trusted.
    """
    real = os.path.realpath(python)
    found = os.stat(real)
    return _locate(Path(real), (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns))


def _stat_fields(pid: int | str) -> list[str]:
    """Fields of ``/proc/PID/stat`` after the command name (state first)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def find_interpreter_process(root: int, location: GilLocation) -> int | None:
    """The host pid of the first interpreter process below ``root`` (or ``root`` itself):
    one running ``location``'s binary whose parent does not. None when there is none."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                parents[int(entry)] = int(_stat_fields(entry)[1])

    def runs_it(pid: int) -> bool:
        try:
            return _identity(f"/proc/{pid}/exe") == location.identity
        except OSError:
            return False

    below = {root}
    found: list[int] = []
    frontier = [root]
    while frontier:
        pid = frontier.pop()
        if runs_it(pid) and not (pid != root and runs_it(parents.get(pid, 0))):
            found.append(pid)
            continue
        for child, parent in parents.items():
            if parent == pid and child not in below:
                below.add(child)
                frontier.append(child)
    return min(found) if found else None


def _stopped(pid: int) -> bool:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        return all(_stat_fields(f"{pid}/task/{tid}")[0] in ("T", "t") for tid in tasks)
    except (OSError, IndexError):
        return False


def _entry_point(pid: int) -> int:
    with open(f"/proc/{pid}/auxv", "rb") as handle:
        pairs = dict(struct.iter_unpack("<QQ", handle.read()))
    if _AT_ENTRY not in pairs:
        raise GilReadError("the process has no entry point in its auxiliary vector")
    return int(pairs[_AT_ENTRY])


def read_gil(pid: int, location: GilLocation, *, timeout: float = _STOP_TIMEOUT) -> int:
    """Stop process ``pid`` (SIGSTOP, which it cannot catch or block), read its GIL
    flag from ``/proc/PID/mem``, and let it go on (SIGCONT).

    Raises :class:`GilReadError` when the process is gone, never stops, runs
    another program than ``location``'s, or its memory cannot be read.
    """
    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        raise GilReadError("the process ended before the host could read it") from None
    try:
        deadline = time.monotonic() + timeout
        while not _stopped(pid):
            if not os.path.exists(f"/proc/{pid}") or time.monotonic() > deadline:
                raise GilReadError(f"the process did not stop within {timeout:.0f}s")
            time.sleep(0.001)
        try:
            if _identity(f"/proc/{pid}/exe") != location.identity:
                raise GilReadError("the process no longer runs the interpreter")
            address = _entry_point(pid) + location.delta
            fd = os.open(f"/proc/{pid}/mem", os.O_RDONLY)
            try:
                data = os.pread(fd, 4, address)
            finally:
                os.close(fd)
        except OSError as exc:
            raise GilReadError(f"cannot read the process's memory: {exc.strerror}") from None
        if len(data) != 4:
            raise GilReadError("cannot read the process's memory: short read")
        return int.from_bytes(data, "little", signed=True)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
