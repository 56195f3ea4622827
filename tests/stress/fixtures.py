"""Fixture releases for stress runs: C extensions built at test time, each importing
"ready" (``Py_MOD_GIL_NOT_USED``), each with tests that give one stress status.

=================  ==========================================================
``ftrace``         a C function fills and checks a shared buffer: atomic under
                   the GIL, torn without it (``races``)
``ftcorrect``      the same function behind a mutex (``passed``)
``ftabort``        aborts when two threads are inside it at once (``crashed``)
``ftdeadlock``     two mutexes taken in opposite orders (``deadlocked``)
``ftunsafe``       a correct module whose own test shares a list between threads
                   (``unsafe-tests``)
``fthang``         a correct module whose own test waits for a signal nobody sends
                   when another thread runs it too: it hangs in threads with the
                   GIL on as well (``unsafe-tests``, not ``deadlocked``)
``ftslow``         a correct function that computes for longer than the stall
                   limit: slow, not stuck (``passed``)
``ftsdist``        tests only in its sdist; the sdist's flat sources differ from
                   the wheel's, and the test checks it imports the wheel (``passed``)
``ftnotests``      no tests anywhere (``no-tests``)
=================  ==========================================================
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from testkit.wheelbuild import interpreter_build_info, write_wheel

__all__ = ["FIXTURES", "HANG_TEST", "build_all", "build_fixture", "build_sdist", "write_sdist"]

_MODULE = """
#include <Python.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
{code}
static PyMethodDef methods[] = {{
{methods}
    {{NULL, NULL, 0, NULL}}
}};
static PyModuleDef_Slot slots[] = {{
    {{Py_mod_gil, Py_MOD_GIL_NOT_USED}},
    {{0, NULL}}
}};
static struct PyModuleDef def = {{PyModuleDef_HEAD_INIT, "{dotted}", NULL, 0, methods, slots}};
PyMODINIT_FUNC PyInit_{leaf}(void) {{ return PyModuleDef_Init(&def); }}
"""

# Fill a shared buffer with the caller's value, then check it: never releases the GIL,
# so it is atomic with the GIL on and torn by other threads without it.
_FILL = """
static volatile long shared[256];
static pthread_mutex_t guard = PTHREAD_MUTEX_INITIALIZER;
static PyObject *fill(PyObject *self, PyObject *arg) {
    long v = PyLong_AsLong(arg);
    int ok = 1;
    if (LOCKED) pthread_mutex_lock(&guard);
    for (int round = 0; round < 400; round++) {
        for (int i = 0; i < 256; i++) shared[i] = v;
        for (int i = 0; i < 256; i++) if (shared[i] != v) ok = 0;
    }
    if (LOCKED) pthread_mutex_unlock(&guard);
    return PyBool_FromLong(ok);
}
"""

_ABORT = """
static int busy = 0;
static PyObject *enter(PyObject *self, PyObject *unused) {
    if (__atomic_exchange_n(&busy, 1, __ATOMIC_SEQ_CST)) abort();
    usleep(200);
    __atomic_store_n(&busy, 0, __ATOMIC_SEQ_CST);
    Py_RETURN_NONE;
}
"""

_DEADLOCK = """
static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static PyObject *both(PyObject *self, PyObject *arg) {
    int reverse = PyObject_IsTrue(arg);
    pthread_mutex_t *first = reverse ? &b : &a, *second = reverse ? &a : &b;
    pthread_mutex_lock(first);
    usleep(500);
    pthread_mutex_lock(second);
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
    Py_RETURN_NONE;
}
"""

_VALUE = """
static PyObject *value(PyObject *self, PyObject *arg) { Py_INCREF(arg); return arg; }
"""

# Compute (spin on the clock) for the given seconds: a test slower than the stall
# limit whose threads never block.
_SPIN = """
#include <time.h>
static PyObject *spin(PyObject *self, PyObject *arg) {
    double seconds = PyFloat_AsDouble(arg), spent = 0;
    struct timespec start, now;
    volatile unsigned long work = 0;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (spent < seconds) {
        for (int i = 0; i < 100000; i++) work += i;
        clock_gettime(CLOCK_MONOTONIC, &now);
        spent = (now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
    }
    return PyLong_FromUnsignedLong(work);
}
"""

#: Seconds ftslow's test computes: longer than the stall limit the tests use (10 s).
SLOW_SECONDS = 14.0

_SLOW_TEST = f"""from ftslow import _core


def test_computes_for_a_while():
    assert _core.spin({SLOW_SECONDS}) > 0
"""

_FILL_TEST = """import threading

from {name} import _core


def test_fill_is_consistent():
    mine = threading.get_ident() % 1000003 + 1
    for _ in range(100):
        assert _core.fill(mine)


def test_alone_only_checks_types():
    assert _core.fill(7) is True
"""

_ABORT_TEST = """from ftabort import _core


def test_enter():
    for _ in range(300):
        _core.enter()
"""

_DEADLOCK_TEST = """import itertools

from ftdeadlock import _core

_turns = itertools.count()


def test_both_locks():
    reverse = next(_turns) % 2 == 1
    for _ in range(200):
        _core.both(reverse)
"""

_UNSAFE_TEST = """import time

from ftunsafe import _core

results = []


def test_collects_its_own_values():
    results.clear()
    for i in range(50):
        results.append(_core.value(i))
        time.sleep(0.001)
    assert results == list(range(50))
"""

HANG_TEST = """import threading
import time

from fthang import _core

_guard = threading.Lock()
_inside = [0]
_released = threading.Event()  # never set: like a reply on a port another thread took


def test_expects_to_run_alone():
    with _guard:
        _inside[0] += 1
    try:
        time.sleep(0.2)  # the other threads come in meanwhile, with the GIL on or off
        with _guard:
            crowded = _inside[0] > 1
        if crowded:
            _released.wait()
        assert _core.value(1) == 1
    finally:
        with _guard:
            _inside[0] -= 1
"""

_SDIST_TEST = """import ftsdist
from ftsdist import _core


def test_runs_against_the_installed_wheel():
    assert ftsdist.SOURCE == "wheel"


def test_value():
    assert _core.value(3) == 3
"""

#: name -> (C code, method table lines, python files of the wheel)
FIXTURES: dict[str, tuple[str, str, dict[str, str]]] = {
    "ftrace": (_FILL.replace("LOCKED", "0"), '    {"fill", fill, METH_O, NULL},',
               {"ftrace/tests/__init__.py": "", "ftrace/tests/test_fill.py":
                _FILL_TEST.format(name="ftrace")}),
    "ftcorrect": (_FILL.replace("LOCKED", "1"), '    {"fill", fill, METH_O, NULL},',
                  {"ftcorrect/tests/__init__.py": "", "ftcorrect/tests/test_fill.py":
                   _FILL_TEST.format(name="ftcorrect")}),
    "ftabort": (_ABORT, '    {"enter", enter, METH_NOARGS, NULL},',
                {"ftabort/tests/__init__.py": "", "ftabort/tests/test_enter.py": _ABORT_TEST}),
    "ftdeadlock": (_DEADLOCK, '    {"both", both, METH_O, NULL},',
                   {"ftdeadlock/tests/__init__.py": "",
                    "ftdeadlock/tests/test_locks.py": _DEADLOCK_TEST}),
    "ftunsafe": (_VALUE, '    {"value", value, METH_O, NULL},',
                 {"ftunsafe/tests/__init__.py": "", "ftunsafe/tests/test_unsafe.py": _UNSAFE_TEST}),
    "fthang": (_VALUE, '    {"value", value, METH_O, NULL},',
               {"fthang/tests/__init__.py": "", "fthang/tests/test_alone.py": HANG_TEST}),
    "ftslow": (_SPIN, '    {"spin", spin, METH_O, NULL},',
               {"ftslow/tests/__init__.py": "", "ftslow/tests/test_slow.py": _SLOW_TEST}),
    "ftsdist": (_VALUE, '    {"value", value, METH_O, NULL},', {}),
    "ftnotests": (_VALUE, '    {"value", value, METH_O, NULL},', {}),
}  # fmt: skip


def build_fixture(
    name: str, dest: Path, python: Path, *, version: str = "1.0",
    tests: dict[str, str] | None = None, platform_tag: str = "linux_x86_64",
) -> Path:  # fmt: skip
    """The wheel of fixture ``name`` for ``python`` (an extension ``name._core``);
    ``tests``: other Python files to ship instead of its own (a correct ``_core``);
    ``platform_tag``: a manylinux tag makes a wheel an index would serve."""
    code, methods, python_files = FIXTURES[name if tests is None else "ftnotests"]
    python_files = python_files if tests is None else tests
    info = interpreter_build_info(python)
    build = dest / f"build-{name}"
    build.mkdir(parents=True, exist_ok=True)
    source = build / "_core.c"
    source.write_text(_MODULE.format(code=code, methods=methods, dotted=f"{name}._core",
                                     leaf="_core"))  # fmt: skip
    output = build / ("_core" + info["suffix"])
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-O1", "-pthread", f"-I{info['include']}", str(source),
         "-o", str(output)],
        check=True, capture_output=True,
    )  # fmt: skip
    files: dict[str, bytes] = {p: s.encode() for p, s in python_files.items()}
    init = 'SOURCE = "wheel"\n' if name == "ftsdist" else ""
    files[f"{name}/__init__.py"] = init.encode()
    files[f"{name}/_core{info['suffix']}"] = output.read_bytes()
    tag = f"{info['tag']}-{info['tag']}t-{platform_tag}"
    return write_wheel(dest, name, version, tag, files, requires=())


def build_sdist(dest: Path, name: str = "ftsdist", *, version: str = "1.0") -> Path:
    """The sdist of ``ftsdist``: flat sources that say ``SOURCE = "sdist"`` (which the
    tests must never import) and a ``tests/`` directory."""
    dest.mkdir(parents=True, exist_ok=True)
    top = f"{name}-{version}"
    members = {
        f"{top}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{top}/pyproject.toml": '[project]\nname = "ftsdist"\nversion = "1.0"\n\n'
        '[dependency-groups]\ntests = ["pytest"]\n',
        f"{top}/{name}/__init__.py": 'SOURCE = "sdist"\n',
        f"{top}/tests/test_sdist.py": _SDIST_TEST,
        f"{top}/conftest.py": "",
    }
    return write_sdist(dest / f"{top}.tar.gz", members)


def write_sdist(path: Path, members: dict[str, str]) -> Path:
    """A ``.tar.gz`` at ``path`` holding ``members`` (member name -> text), mode 0644."""
    with tarfile.open(path, "w:gz") as archive:
        for member, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return path


def build_all(dest: Path, python: Path) -> dict[str, Path]:
    """Every fixture wheel for ``python``, and the sdist of ``ftsdist`` beside them."""
    wheels = {name: build_fixture(name, dest, python) for name in FIXTURES}
    build_sdist(dest)
    return wheels
