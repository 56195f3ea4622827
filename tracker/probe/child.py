"""Imports modules one by one inside the sandbox and reports on a pipe.

This file runs under the probed free-threaded interpreter, inside the
sandbox, with ``python -I -v -X faulthandler child.py EVENTS_FD MODULE...``.
It must not import fttrack. Each event is one JSON line on EVENTS_FD::

    {"event": "start", "module": M}
    {"event": "done", "module": M, "seconds": S, "gil": bool}
    {"event": "error", "module": M, "seconds": S, "type": T, "message": ..., "gil": bool}
    {"event": "end", "gil": bool}

A ``#fttrack-start M`` line also goes to stderr before each import, so the
``-v`` lines ("# loading module 'X', which requires the GIL") can be tied to
the import that caused them.
"""

import importlib
import json
import os
import re
import sys
import time
import traceback

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
    os.write(fd, (json.dumps(event) + "\n").encode())


def _gil() -> bool:
    return bool(getattr(sys, "_is_gil_enabled", lambda: True)())


def main() -> None:
    fd = int(sys.argv[1])
    for name in sys.argv[2:]:
        _emit(fd, event="start", module=name)
        sys.stderr.write("#fttrack-start " + name + "\n")
        sys.stderr.flush()
        started = time.perf_counter()
        try:
            _import(name)
        except BaseException as exc:  # the probed code may raise anything, even SystemExit
            tail = "".join(traceback.format_exception(exc)[-6:])[-1500:]
            _emit(
                fd,
                event="error",
                module=name,
                seconds=round(time.perf_counter() - started, 4),
                type=type(exc).__name__,
                message=str(exc)[:500],
                traceback=tail,
                gil=_gil(),
            )
            continue
        _emit(
            fd,
            event="done",
            module=name,
            seconds=round(time.perf_counter() - started, 4),
            gil=_gil(),
        )
    sys.stderr.write("#fttrack-end\n")
    sys.stderr.flush()
    _emit(fd, event="end", gil=_gil())


if __name__ == "__main__":
    main()
