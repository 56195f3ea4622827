"""Imports modules one by one inside the sandbox and reports on a pipe.

This file runs under the probed free-threaded interpreter, inside the
sandbox, with ``python -I -v -X faulthandler child.py EVENTS_FD MODULE...``.
It must not import fttrack. Each event is one JSON line on EVENTS_FD::

    {"event": "hello", "nonce": N}
    {"event": "start", "module": M}
    {"event": "done", "module": M, "seconds": S, "gil": bool}
    {"event": "error", "module": M, "seconds": S, "type": T, "message": ..., "gil": bool,
     "missing": NAME or null}   (NAME: the module a ModuleNotFoundError could not find)
    {"event": "end", "gil": bool}

A ``#fttrack-start M`` line also goes to stderr before each import, so the
``-v`` lines ("# loading module 'X', which requires the GIL") can be tied to
the import that caused them.

Every event after ``hello`` carries its nonce, a secret of this process, and
``gil`` is the interpreter's own ``sys._is_gil_enabled()`` after the import.
After ``hello``, each ``done``/``error`` and ``end`` the child waits (up to
``_WAIT_SECONDS``) for a SIGCONT: the host stops the process, reads the GIL
flag from its memory (:mod:`tracker.probe.gilstate`), which is what decides,
and lets it go on. ``gil`` and the ``-v`` lines are only cross-checks: the
package's code can change both. If the events pipe cannot be written (the
package closed it), the child exits with status ``CHANNEL_LOST``.

To make the in-process report harder to forge from the package's own
code, this file takes its references to ``sys._is_gil_enabled``,
``os.write`` and ``json.dumps`` before importing anything of the package,
moves the events pipe to an unpredictable descriptor, drops it from
``sys.argv`` and keeps the nonce in a local variable. (Code running in the
process can still lie with enough effort; the sandbox is the boundary, this
only defeats the cheap forgeries.)
"""

import importlib
import json
import os
import re
import secrets
import signal
import sys
import time
import traceback

_IS_GIL_ENABLED = getattr(sys, "_is_gil_enabled", None)
_WRITE = os.write
_DUMPS = json.dumps
_EXIT = os._exit
_SIGTIMEDWAIT = signal.sigtimedwait
_SIGCONT = signal.SIGCONT
#: Exit status when the events pipe cannot be written.
CHANNEL_LOST = 86
_WAIT_SECONDS = 20

_PARTIAL = re.compile(r"partially initialized module '([^']+)'")


def _import(name: str) -> None:
    """Import ``name``; on a circular import inside its package, take the normal path.

    Importing a private module directly can fail where the package's own
    import order works ("cannot import name ... from partially initialized
    module P"). If P is another module, import P first, as the package would.
    If P is ``name`` itself, the module is one end of a cycle whose other end
    normally comes first: import the sibling Python modules that name it,
    then ``name``.
    """
    try:
        importlib.import_module(name)
    except ImportError as exc:
        match = _PARTIAL.search(str(exc))
        if match is None:
            raise
        if match.group(1) != name:
            importlib.import_module(match.group(1))
            importlib.import_module(name)
            return
        for importer in _importers_of(name):
            try:
                importlib.import_module(importer)
            except Exception:
                continue
            if name in sys.modules:
                return
        raise


def _importers_of(name: str) -> list[str]:
    """Python modules beside ``name`` in its package whose source mentions it."""
    package, _, leaf = name.rpartition(".")
    if not package:
        return []
    found: list[str] = []
    for directory in getattr(sys.modules.get(package), "__path__", []):
        try:
            entries = sorted(os.listdir(directory))
        except OSError:
            continue
        for entry in entries:
            if not entry.endswith(".py") or entry == "__init__.py":
                continue
            try:
                with open(os.path.join(directory, entry), encoding="utf-8") as handle:
                    if leaf in handle.read():
                        found.append(package + "." + entry[:-3])
            except (OSError, UnicodeDecodeError):
                continue
    return found


def _emit(fd: int, **event: object) -> None:
    """Write one event and wait for the host to read the GIL flag (it sends SIGCONT)."""
    try:
        _WRITE(fd, (_DUMPS(event) + "\n").encode())
    except BaseException:
        _EXIT(CHANNEL_LOST)
    _SIGTIMEDWAIT({_SIGCONT}, _WAIT_SECONDS)


def _gil() -> bool:
    return bool(_IS_GIL_ENABLED()) if _IS_GIL_ENABLED is not None else True


def _hide(fd: int) -> int:
    """Move ``fd`` to an unpredictable free descriptor number; close the old one."""
    import resource

    ceiling = min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 4096)
    if ceiling <= 32:
        return fd
    for _ in range(64):
        candidate = 16 + secrets.randbelow(ceiling - 16)
        try:
            os.fstat(candidate)
            continue
        except OSError:
            pass
        try:
            os.dup2(fd, candidate, inheritable=False)
        except OSError:
            continue
        os.close(fd)
        return candidate
    return fd


def _mark(line: str) -> None:
    """A marker line on stderr; the package may have broken ``sys.stderr``."""
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except BaseException:
        pass


def main() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {_SIGCONT})  # received by _emit's wait
    fd = _hide(int(sys.argv[1]))
    modules = sys.argv[2:]
    del sys.argv[1:]
    nonce = secrets.token_hex(16)
    _emit(fd, event="hello", nonce=nonce)

    def emit(**event: object) -> None:
        _emit(fd, nonce=nonce, **event)

    for name in modules:
        emit(event="start", module=name)
        _mark("#fttrack-start " + name)
        started = time.perf_counter()
        try:
            _import(name)
        except BaseException as exc:  # the probed code may raise anything, even SystemExit
            tail = "".join(traceback.format_exception(exc)[-6:])[-1500:]
            missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
            emit(
                event="error",
                module=name,
                seconds=round(time.perf_counter() - started, 4),
                type=type(exc).__name__,
                message=str(exc)[:500],
                missing=missing if isinstance(missing, str) else None,
                traceback=tail,
                gil=_gil(),
            )
            continue
        emit(
            event="done",
            module=name,
            seconds=round(time.perf_counter() - started, 4),
            gil=_gil(),
        )
    _mark("#fttrack-end")
    emit(event="end", gil=_gil())


if __name__ == "__main__":
    main()
