"""The GIL flag of an interpreter whose ``_PyRuntime`` lives in a shared libpython
(the layout ``uv python install`` gives on Linux), read from outside its process.

The interpreter is fttrack's ``--shared`` source build of 3.14t (``scripts/test``
installs it: ``fttrack python install 3.14t --shared``); a missing one is a failure.
The processes read here are trusted (the interpreter itself, no package code),
but for the last test, a probe of the issue's forgery in the bwrap sandbox.
"""

from __future__ import annotations

import mmap
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from testkit.wheelbuild import Extension, build_binary_wheel
from tests.probe.conftest import ProbeWheel
from tracker.config import load_settings
from tracker.errors import InterpreterError
from tracker.models import ModuleOutcome, Status
from tracker.probe import gilstate
from tracker.pythons.discover import SHARED_SOURCE, Interpreter, find_interpreters

#: A maps text as the kernel writes it: a program, and libpython loaded at 0x7f0000000000
#: (its data, where _PyRuntime is, at file offset 0x400000 mapped at 0x7f0000500000).
LIB = "/opt/py/lib/libpython3.14t.so.1.0"
MAPS = f"""555500000000-555500001000 r--p 00000000 fe:00 11 /opt/py/bin/python3.14t
555500001000-555500002000 r-xp 00001000 fe:00 11 /opt/py/bin/python3.14t
7f0000000000-7f0000100000 r--p 00000000 fe:00 42 {LIB}
7f0000100000-7f0000300000 r-xp 00100000 fe:00 42 {LIB}
7f0000500000-7f0000540000 rw-p 00400000 fe:00 42 {LIB}
7f0000540000-7f0000560000 rw-p 00000000 00:00 0
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
"""
FILE = (0xFE, 0, 42)


def test_the_library_base_is_its_one_mapping_at_offset_zero() -> None:
    mappings = gilstate._mappings(MAPS)
    assert len(mappings) == 7
    assert gilstate._library_base(mappings, FILE) == 0x7F0000000000
    assert gilstate._file_place(mappings, FILE, 0x7F0000500010) == 0x400010


def test_a_library_mapped_at_two_bases_is_not_read() -> None:
    again = MAPS + f"7f1000000000-7f1000001000 r--p 00000000 fe:00 42 {LIB}\n"
    with pytest.raises(gilstate.GilReadError, match="mapped at 2 bases"):
        gilstate._library_base(gilstate._mappings(again), FILE)
    with pytest.raises(gilstate.GilReadError, match="has not mapped"):
        gilstate._library_base(gilstate._mappings(MAPS), (0xFE, 0, 43))


def test_the_flag_place_mapped_twice_is_not_read() -> None:
    # The package maps the file's data again (not at offset 0): the flag's place is
    # in the file twice, and which copy the interpreter uses is not the kernel's word.
    again = MAPS + f"7f1000000000-7f1000040000 rw-p 00400000 fe:00 42 {LIB}\n"
    with pytest.raises(gilstate.GilReadError, match="mapped 2 times"):
        gilstate._file_place(gilstate._mappings(again), FILE, 0x7F0000500010)
    with pytest.raises(gilstate.GilReadError, match="not in the process's libpython"):
        gilstate._file_place(gilstate._mappings(MAPS), FILE, 0x7F0000540010)


@pytest.fixture(scope="module")
def shared_interpreter() -> Interpreter:
    """fttrack's 3.14t build with a shared libpython (never a skip when missing)."""
    for interpreter in find_interpreters(load_settings()):
        if interpreter.source == SHARED_SOURCE and interpreter.target.name == "3.14t":
            return interpreter
    raise AssertionError("no shared 3.14t build: run 'fttrack python install 3.14t --shared'")


@contextmanager
def running(argv: list[str], ready: float = 0.5) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(argv)
    try:
        time.sleep(ready)  # started, its runtime initialised
        yield process
    finally:
        process.kill()
        process.wait()


def test_the_shared_build_is_located_from_its_library(shared_interpreter: Interpreter) -> None:
    location = gilstate.locate(shared_interpreter.path)
    assert location.anchor == "library"
    assert location.library is not None
    assert location.library.name.startswith("libpython3.14t.so")
    assert location.library.is_relative_to(shared_interpreter.prefix)
    found = location.library.stat()
    assert location.library_file == (os.major(found.st_dev), os.minor(found.st_dev), found.st_ino)
    assert location.delta > 0 and location.library_place is not None
    assert gilstate.locate(shared_interpreter.path) is location  # kept


def test_the_static_builds_keep_the_entry_point(target_interpreter: Interpreter) -> None:
    location = gilstate.locate(target_interpreter.path)
    assert location.anchor == "entry" and location.library is None


@pytest.mark.parametrize("gil", [0, 1])
def test_the_host_reads_the_shared_build_s_flag(shared_interpreter: Interpreter, gil: int) -> None:
    location = gilstate.locate(shared_interpreter.path)
    argv = [str(shared_interpreter.path), "-I", "-S", "-X", f"gil={gil}", "-c",
            "import time; time.sleep(30)"]  # fmt: skip
    with running(["/bin/sh", "-c", '"$@"; :', "sh", *argv]) as shell:
        pid = gilstate.find_interpreter_process(shell.pid, location)
        assert pid is not None and pid != shell.pid
        assert (gilstate.read_gil(pid, location) != 0) is bool(gil)
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state not in ("T", "t"), "the process was left stopped"


# The interpreter maps its own libpython file a second time, at offset 0 (a second
# base) or at the page of the flag's place in the file, then waits to be read.
MAP_AGAIN = """import mmap, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
kept = mmap.mmap(fd, int(sys.argv[3]), prot=mmap.PROT_READ, offset=int(sys.argv[2]))
print("mapped", flush=True)
time.sleep(30)
"""


@pytest.mark.parametrize("again", ["base", "flag"])
def test_a_library_mapped_again_is_not_read(shared_interpreter: Interpreter, again: str) -> None:
    location = gilstate.locate(shared_interpreter.path)
    assert location.library is not None and location.library_place is not None
    page = location.library_place - location.library_place % mmap.ALLOCATIONGRANULARITY
    offset, length = (0, 4096) if again == "base" else (page, mmap.ALLOCATIONGRANULARITY)
    argv = [str(shared_interpreter.path), "-I", "-S", "-X", "gil=0", "-c", MAP_AGAIN,
            str(location.library), str(offset), str(length)]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None and process.stdout.readline() == b"mapped\n"
        expected = "mapped at 2 bases" if again == "base" else "place in libpython mapped 2 times"
        with pytest.raises(gilstate.GilReadError, match=expected):
            gilstate.read_gil(process.pid, location)
        state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state not in ("T", "t"), "the process was left stopped"
    finally:
        process.kill()
        process.wait()


# The issue's forgery: the package replaces the probe child's own reference to
# ``sys._is_gil_enabled`` and silences fd 2, next to an extension module that does
# not declare Py_mod_gil (which re-enables the GIL when imported).
PATCH_MAIN = """import os, sys
sys.modules["__main__"]._IS_GIL_ENABLED = lambda: False
os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
from ftsharedforge import _core
"""


@pytest.mark.parametrize("level", ["bwrap", "unshare"])
def test_the_issue_s_forgery_is_judged_on_the_shared_build(
    shared_interpreter: Interpreter, tmp_path: Path, probe_wheel: ProbeWheel, level: str
) -> None:
    wheel = build_binary_wheel(
        tmp_path / "wheels", shared_interpreter.path, "ftsharedforge",
        [Extension("ftsharedforge._core", "bad")],
        python_files={"ftsharedforge/__init__.py": PATCH_MAIN},
    )  # fmt: skip
    result = probe_wheel(wheel, shared_interpreter, level=level)
    assert result.sandbox.startswith(level)
    assert result.status is Status.GIL_REENABLED, result
    modules = {m.name: m.outcome for m in result.modules}
    assert modules["ftsharedforge"] is ModuleOutcome.GIL_REENABLED
    assert "the host read the GIL enabled" in result.detail


def test_a_good_module_is_ready_on_the_shared_build(
    shared_interpreter: Interpreter, tmp_path: Path, probe_wheel: ProbeWheel
) -> None:
    wheel = build_binary_wheel(
        tmp_path / "wheels", shared_interpreter.path, "ftsharedgood",
        [Extension("ftsharedgood._core", "good")],
        python_files={"ftsharedgood/__init__.py": "from ftsharedgood import _core\n"},
    )  # fmt: skip
    result = probe_wheel(wheel, shared_interpreter, level="bwrap")
    assert result.status is Status.READY, result


# A package that maps the interpreter's libpython again (at offset 0: a second base)
# before a module that keeps the GIL disabled: no reading is believed, never ready.
MAP_LIBPYTHON = """import mmap, os
path = next(line.split()[-1] for line in open("/proc/self/maps") if "libpython" in line)
_kept = mmap.mmap(os.open(path, os.O_RDONLY), 4096, prot=mmap.PROT_READ)
from ftsharedmap import _core
"""


def test_a_package_that_maps_libpython_again_is_never_ready(
    shared_interpreter: Interpreter, tmp_path: Path, probe_wheel: ProbeWheel
) -> None:
    wheel = build_binary_wheel(
        tmp_path / "wheels", shared_interpreter.path, "ftsharedmap",
        [Extension("ftsharedmap._core", "good")],
        python_files={"ftsharedmap/__init__.py": MAP_LIBPYTHON},
    )  # fmt: skip
    result = probe_wheel(wheel, shared_interpreter, level="bwrap")
    assert result.status is Status.IMPORT_FAILED, result
    top = {m.name: m for m in result.modules}["ftsharedmap"]
    assert top.outcome is ModuleOutcome.IMPORT_FAILED
    assert "mapped at 2 bases" in top.detail + result.detail


def _trusted_run(flag: int, maps: str = MAPS, value: int = 0) -> dict[str, object]:
    """What one trusted run reports, for a libpython loaded as in :data:`MAPS`."""
    return {
        "cookie": "xdebugpy", "version": 0x30E07F0, "hexversion": 0x30E07F0,
        "free_threaded": 1, "mapped_from": [LIB], "size": 4096, "interp": 512,
        "own_gil": True, "delta": 0, "flag": flag, "maps": maps, "value": value,
        "gil": value != 0,
    }  # fmt: skip


def test_the_trusted_runs_must_agree_on_the_library_place(tmp_path: Path) -> None:
    python = tmp_path / "python3.14t"
    python.write_text("")
    off, on = _trusted_run(0x7F0000500010), _trusted_run(0x7F0000500010, value=1)
    location = gilstate._check(python, off, on)
    assert (location.anchor, location.delta, location.library_place) == (
        "library", 0x500010, 0x400010,
    )  # fmt: skip
    assert location.library_file == FILE and location.library == Path(LIB)
    moved = _trusted_run(0x7F0000500020, value=1)
    with pytest.raises(InterpreterError, match="the flag moved in libpython"):
        gilstate._check(python, off, moved)
    outside = _trusted_run(0x7F0000540010, value=1)
    with pytest.raises(InterpreterError, match="not in the process's libpython mapping"):
        gilstate._check(python, off, outside)
    two = {**off, "mapped_from": [LIB, "/opt/py/bin/python3.14t"]}
    with pytest.raises(InterpreterError, match="not in one mapped file"):
        gilstate._check(python, two, on)
