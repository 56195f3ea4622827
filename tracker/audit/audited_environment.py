"""``fttrack audit`` without a path: the distributions installed in a Python environment.

Which environment: ``--python PYTHON`` when given, else the active virtual
environment (``$VIRTUAL_ENV``), else the interpreter running fttrack. Another
interpreter is asked with a small script (``python -I -c ...``) that lists
``importlib.metadata.distributions()`` as JSON: its ``sys.path`` decides what is
installed, as it does for its imports. The interpreter running fttrack is read in
process. Each distribution becomes a pinned dependency with origin
``installed``; an editable install of a local project is skipped (it is not on
the index), and so is a distribution whose metadata has no name or version.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.errors import InputError
from tracker.models import Dependency

__all__ = ["ORIGIN", "InstalledEnvironment", "choose_python", "installed_environment", "read_here"]

#: The origin of every installed dependency.
ORIGIN = "installed"

#: Defines ``collect()`` -> {"prefix", "version", "gil_disabled", "dists"}; runs in the
#: audited interpreter (or in this one, for :func:`read_here`). Standard library only.
_COLLECT = """
def collect():
    import sys, sysconfig
    from importlib import metadata
    dists = []
    for dist in metadata.distributions():
        try:
            direct = dist.read_text("direct_url.json") or ""
        except Exception:
            direct = ""
        dists.append([dist.metadata["Name"] or "", dist.version or "", direct])
    return {
        "prefix": sys.prefix,
        "version": "%d.%d" % sys.version_info[:2],
        "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "dists": dists,
    }
"""
_SCRIPT = _COLLECT + "\nimport json\nprint(json.dumps(collect()))\n"

_TIMEOUT = 60.0


@dataclass(frozen=True)
class InstalledEnvironment:
    """An interpreter's environment: where, which Python, what is installed."""

    python: str
    prefix: str
    version: str
    gil_disabled: bool
    dependencies: tuple[Dependency, ...]

    @property
    def description(self) -> str:
        """``installed in /path/to/venv (Python 3.14t)``: the audit's input name."""
        build = "t" if self.gil_disabled else ""
        return f"installed in {self.prefix} (Python {self.version}{build})"


def choose_python(python: str | None) -> str | None:
    """The interpreter to read: ``python``, else the active venv's, else None (this one)."""
    if python:
        return python
    venv = os.environ.get("VIRTUAL_ENV")
    if venv and Path(venv).resolve() != Path(sys.prefix).resolve():
        name = "python.exe" if sys.platform == "win32" else "python"
        found = Path(venv) / ("Scripts" if sys.platform == "win32" else "bin") / name
        if found.exists():
            return str(found)
    return None


def _editable(direct_url: str) -> bool:
    try:
        info = json.loads(direct_url) if direct_url else {}
    except ValueError:
        return False
    dir_info = info.get("dir_info") if isinstance(info, dict) else None
    return isinstance(dir_info, dict) and bool(dir_info.get("editable"))


def _dependencies(rows: list[Any]) -> tuple[Dependency, ...]:
    from tracker.names import normalize_name

    found: dict[str, Dependency] = {}
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3 and all(isinstance(v, str) for v in row)):
            continue
        raw_name, version, direct_url = row
        if not raw_name or not version:
            continue
        name = normalize_name(raw_name)
        if name in found:  # shadowed by an earlier entry of sys.path, as for imports
            continue
        reason = "editable install of a local project" if _editable(direct_url) else ""
        found[name] = Dependency(
            name=name,
            version=version,
            specifier=f"=={version}",
            origin=ORIGIN,
            skipped_reason=reason,
        )
    return tuple(sorted(found.values(), key=lambda d: d.name))


def read_here() -> InstalledEnvironment:
    """The environment of the interpreter running fttrack, read in process."""
    namespace: dict[str, Any] = {}
    exec(compile(_COLLECT, "<installed>", "exec"), namespace)
    return _environment(sys.executable, namespace["collect"]())


def _environment(python: str, data: Any) -> InstalledEnvironment:
    if not isinstance(data, dict) or not isinstance(data.get("dists"), list):
        raise InputError(python, "the interpreter did not list its distributions")
    return InstalledEnvironment(
        python=python,
        prefix=str(data.get("prefix", "")),
        version=str(data.get("version", "")),
        gil_disabled=bool(data.get("gil_disabled")),
        dependencies=_dependencies(data["dists"]),
    )


def installed_environment(python: str | None = None) -> InstalledEnvironment:
    """The distributions installed for ``python`` (see :func:`choose_python`).

    Raises :class:`~tracker.errors.InputError` naming the interpreter when it
    cannot be run or does not answer.
    """
    chosen = choose_python(python)
    if chosen is None:
        return read_here()
    path = Path(chosen)
    if not path.exists():
        raise InputError(chosen, "no such interpreter")
    try:
        done = subprocess.run(
            [chosen, "-I", "-c", _SCRIPT],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(chosen, f"did not answer within {_TIMEOUT:g}s") from None
    except OSError as exc:
        raise InputError(chosen, f"cannot run: {exc.strerror or exc}") from None
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(chosen, f"cannot list its distributions: {tail}")
    try:
        data = json.loads(done.stdout)
    except ValueError:
        raise InputError(chosen, "the interpreter did not list its distributions") from None
    return _environment(chosen, data)
