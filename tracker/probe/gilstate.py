"""Read a probed interpreter's GIL flag from outside its process.

Everything inside the probed process can be changed by the package's code:
``sys._is_gil_enabled``, the probe child's own references, stderr, the
warnings machinery. So the host reads the flag itself, from the child's
memory, while the child is stopped.

In a free-threaded CPython the GIL's state is ``interp->_gil.enabled``, an
``int`` (0: disabled; 1 and up: enabled, ``INT_MAX`` when for good) of the main
interpreter, which lives inside the exported ``_PyRuntime``: in the executable
(libpython linked in, as fttrack's own builds have it) or in a shared
``libpython3.Xt.so`` (as ``uv python install`` gives it on Linux).
Where it is comes from a trusted run of the same interpreter binary on the host
(:func:`locate`, which runs no package code): ``_PyRuntime`` starts with
``_Py_DebugOffsets`` (CPython 3.13 and later, for out-of-process debuggers),
which give the interpreter list's head and the offsets of ``_gil`` and
``enabled`` in it. The trusted run checks its answer both ways (``-X gil=0``
reads 0, ``-X gil=1`` reads non-zero) and reports the flag's distance from an
anchor the kernel gives, which the process cannot change:

- ``_PyRuntime`` in the executable: the program's entry point, recorded at
  ``exec`` (``AT_ENTRY`` of ``/proc/PID/auxv``).
- ``_PyRuntime`` in a shared library: the library's load base, its mapping at
  file offset 0 in ``/proc/PID/maps``, found by the (device, inode) of the
  trusted run's library file (the kernel writes those for each mapping; a
  process cannot make a mapping claim another file). A process that has the
  file mapped at more than one base, or whose flag address is not the
  library's own mapping of the flag's place in the file, is not read.

In the probed process the host adds that distance to the anchor and reads
``/proc/PID/mem`` there: no value the package can write is used to find it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
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
# 3.14 on (threads_main added). ``mapped_from`` is the file of the mapping that
# holds _PyRuntime; ``maps`` is /proc/self/maps as the kernel wrote it.
_CALIBRATE = r"""
import ctypes, json, struct, sys
def u64(addr): return struct.unpack("<Q", ctypes.string_at(addr, 8))[0]
rt = ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, "_PyRuntime"))
with open("/proc/self/auxv", "rb") as f:
    entry = dict(struct.iter_unpack("<QQ", f.read()))[9]
with open("/proc/self/maps") as f:
    maps = f.read()
exe = [l.split(None, 5)[-1].strip() for l in maps.splitlines()
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
    "flag": flag, "maps": maps,
    "value": ctypes.c_int.from_address(flag).value, "gil": sys._is_gil_enabled(),
}))
"""


class GilReadError(Exception):
    """The host could not read the GIL flag of a probed process (the reason is the message)."""


#: ``/proc/PID/maps``: start-end perms offset major:minor inode [path].
_MAPS_LINE = re.compile(
    r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) ([0-9a-f]+):([0-9a-f]+) (\d+)\s*(.*)$"
)


@dataclass(frozen=True)
class _Mapping:
    """One line of ``/proc/PID/maps``."""

    start: int
    end: int
    offset: int
    file: tuple[int, int, int]  # (major, minor, inode) as the kernel writes them
    path: str


def _mappings(text: str) -> list[_Mapping]:
    """The lines of a ``/proc/PID/maps`` text (lines it cannot parse are left out)."""
    found = []
    for line in text.splitlines():
        match = _MAPS_LINE.match(line)
        if match:
            start, end, _, offset, major, minor, inode, path = match.groups()
            found.append(
                _Mapping(
                    int(start, 16), int(end, 16), int(offset, 16),
                    (int(major, 16), int(minor, 16), int(inode)), path.strip(),
                )
            )  # fmt: skip
    return found


def _library_base(mappings: list[_Mapping], file: tuple[int, int, int]) -> int:
    """The one address where ``file`` is mapped at offset 0 (its load base).

    Raises :class:`GilReadError` when it is mapped at no base or at several.
    """
    bases = sorted({m.start for m in mappings if m.file == file and m.offset == 0})
    if not bases:
        raise GilReadError("the process has not mapped the interpreter's libpython")
    if len(bases) > 1:
        raise GilReadError(
            f"the process has the interpreter's libpython mapped at {len(bases)} bases "
            f"({', '.join(hex(b) for b in bases)}): a package can map the file itself, "
            "and which one the interpreter runs on cannot be told from outside"
        )
    return bases[0]


def _file_place(mappings: list[_Mapping], file: tuple[int, int, int], address: int) -> int:
    """The offset in ``file`` that ``address`` shows, once it is inside a mapping of
    ``file`` and that place of the file is mapped nowhere else.

    Raises :class:`GilReadError` otherwise.
    """
    own = [m for m in mappings if m.file == file]
    holding = [m for m in own if m.start <= address < m.end]
    if not holding:
        raise GilReadError("the GIL flag's address is not in the process's libpython mapping")
    place = address - holding[0].start + holding[0].offset
    copies = [m for m in own if m.offset <= place < m.offset + (m.end - m.start)]
    if len(copies) != 1:
        raise GilReadError(
            f"the process has the GIL flag's place in libpython mapped {len(copies)} times"
        )
    return place


@dataclass(frozen=True)
class GilLocation:
    """Where an interpreter binary keeps its GIL flag: its distance from an anchor.

    ``anchor`` is ``"entry"`` (``_PyRuntime`` in the executable: ``delta`` from
    the program's entry point, ``AT_ENTRY``) or ``"library"`` (``_PyRuntime`` in
    the shared ``library``: ``delta`` from the library's load base, which is
    found in the child by ``library_file``, the (major, minor, inode) the kernel
    writes in ``/proc/PID/maps`` for it; the flag lies at ``library_place`` in
    the file; ``library_identity`` is its (st_dev, st_ino) on the host when the
    trusted runs were made).
    """

    executable: Path
    identity: tuple[int, int]  # (st_dev, st_ino) of the binary
    delta: int
    anchor: str = "entry"
    library: Path | None = None
    library_file: tuple[int, int, int] | None = None
    library_place: int | None = None
    library_identity: tuple[int, int] | None = None  # (st_dev, st_ino) of the library


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


def _check(python: Path, off: dict[str, object], on: dict[str, object]) -> GilLocation:
    """Where the flag is, once both trusted runs agree on it."""
    real = Path(os.path.realpath(python))
    problems = []
    if off["cookie"] != "xdebugpy" or off["version"] != off["hexversion"]:
        problems.append("no _Py_DebugOffsets of this version at _PyRuntime")
    if off["free_threaded"] != 1:
        problems.append("not a free-threaded build")
    interp = off["interp"]
    if not (isinstance(interp, int) and isinstance(off["size"], int) and 0 < interp < off["size"]):
        problems.append("the main interpreter is not inside _PyRuntime")
    if not off["own_gil"]:
        problems.append("the main interpreter does not use its own GIL state")
    if (off["value"], off["gil"]) != (0, False) or on["gil"] is not True or on["value"] == 0:
        problems.append(f"the flag does not follow -X gil (0: {off['value']}, 1: {on['value']})")
    location: GilLocation | None = None
    mapped = off["mapped_from"]
    if not isinstance(mapped, list) or len(mapped) != 1 or mapped != on["mapped_from"]:
        problems.append(f"_PyRuntime is not in one mapped file (in {mapped})")
    elif Path(os.path.realpath(str(mapped[0]))) == real:
        if off["delta"] != on["delta"]:
            problems.append("the flag moved between two runs")
        delta = off["delta"]
        assert isinstance(delta, int)
        location = GilLocation(real, _identity(real), delta)
    else:
        location = _check_library(Path(str(mapped[0])), real, off, on, problems)
    if problems or location is None:
        raise InterpreterError(f"{python}: cannot locate its GIL flag: {'; '.join(problems)}")
    return location


def _library_reading(
    library: Path, run: dict[str, object]
) -> tuple[tuple[int, int, int], int, int] | str:
    """(file, distance from the load base, place in the file) of one trusted run's flag
    in ``library``, or what is wrong with it."""
    maps, flag = run["maps"], run["flag"]
    assert isinstance(maps, str) and isinstance(flag, int)
    mappings = _mappings(maps)
    named = {m.file for m in mappings if m.path == str(library)}
    if len(named) != 1:
        return f"{library} is {len(named)} files in the trusted run's maps"
    (file,) = named
    try:
        base = _library_base(mappings, file)
        place = _file_place(mappings, file, flag)
    except GilReadError as exc:
        return f"in the trusted run, {exc}"
    return file, flag - base, place


def _check_library(
    library: Path,
    real: Path,
    off: dict[str, object],
    on: dict[str, object],
    problems: list[str],
) -> GilLocation | None:
    """The location of the flag in a shared libpython both trusted runs agree on
    (None, with ``problems`` told why, when they do not)."""
    first, second = (_library_reading(library, run) for run in (off, on))
    if isinstance(first, str) or isinstance(second, str):
        problems.extend(r for r in (first, second) if isinstance(r, str))
        return None
    if first != second:
        problems.append("the flag moved in libpython between two runs")
        return None
    file, delta, place = first
    return GilLocation(
        real, _identity(real), delta, anchor="library", library=library,
        library_file=file, library_place=place, library_identity=_library_identity(library),
    )  # fmt: skip


@functools.cache
def _locate(python: Path, _identity_key: tuple[int, int, int, int]) -> GilLocation:
    off, on = _calibrate(python, 0), _calibrate(python, 1)
    return _check(python, off, on)


def locate(python: Path) -> GilLocation:
    """Where ``python`` (a free-threaded CPython 3.13+ binary, libpython linked in or
    shared) keeps its GIL flag, from two trusted runs of it (kept per binary and
    process, and per library file for a shared libpython).

    Raises :class:`InterpreterError` when the answer cannot be trusted.
    """
    real = os.path.realpath(python)
    found = os.stat(real)
    key = (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)
    location = _locate(Path(real), key)
    if location.library is not None and _library_identity(location.library) != (
        location.library_identity
    ):
        _locate.cache_clear()  # the library was replaced since: run the trusted runs again
        location = _locate(Path(real), key)
    return location


def _library_identity(path: Path) -> tuple[int, int] | None:
    """``path``'s (st_dev, st_ino), None when there is no such file."""
    try:
        return _identity(path)
    except OSError:
        return None


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


def _address(pid: int, location: GilLocation) -> int:
    """The flag's address in process ``pid``: the distance from its anchor."""
    if location.anchor == "entry":
        return _entry_point(pid) + location.delta
    assert location.library_file is not None and location.library_place is not None
    with open(f"/proc/{pid}/maps") as handle:
        mappings = _mappings(handle.read())
    address = _library_base(mappings, location.library_file) + location.delta
    if _file_place(mappings, location.library_file, address) != location.library_place:
        raise GilReadError("the GIL flag's address is not its place in libpython")
    return address


def read_gil(pid: int, location: GilLocation, *, timeout: float = _STOP_TIMEOUT) -> int:
    """Stop process ``pid`` (SIGSTOP, which it cannot catch or block), read its GIL
    flag from ``/proc/PID/mem``, and let it go on (SIGCONT).

    Raises :class:`GilReadError` when the process is gone, never stops, runs
    another program than ``location``'s, has its libpython mapped more than once
    (at several bases, or the flag's place twice), or its memory cannot be read.
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
            address = _address(pid, location)
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
