"""``fttrack audit --resolve``: the full pinned set of a requirements file or pyproject.toml.

A requirements file or a ``pyproject.toml`` names direct requirements only, often
loose ones. ``uv pip compile`` resolves them, with their dependencies, for the
audit's target (its Python version) and platform, from the configured index
(handed to uv in its environment, never on its command line: the URL may hold
credentials), wheels only (``--only-binary :all:``). When that fails because some requirement
has no wheel at all, the resolution is run again with source distributions
allowed (for resolution only: the audit judges what was resolved, and says so).

The output's ``# via`` annotations name who pulled each package in: a package
found by resolution carries ``via`` = its parents; a direct requirement keeps the
origin (file and line) it has in the input.

>>> uv_platform("macosx_arm64"), uv_platform("manylinux_x86_64")
('aarch64-apple-darwin', 'x86_64-manylinux_2_28')
>>> deps = parse_compiled(
...     "six==1.17.0\\n    # via -r requirements.txt\\n"
...     "idna==3.20\\n    # via\\n    #   requests\\n    #   yarl\\n",
...     "requirements.txt",
... )
>>> [(d.name, d.version, d.via) for d in deps]
[('six', '1.17.0', ''), ('idna', '3.20', 'requests, yarl')]
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from msgspec.structs import replace

from tracker.config import uv_index_environment
from tracker.errors import FttrackError, InputError
from tracker.models import Dependency
from tracker.redact import redact

__all__ = [
    "RESOLVE_TIMEOUT",
    "ResolutionError",
    "Resolved",
    "parse_compiled",
    "resolve_requirements",
    "uv_platform",
]

#: Seconds one ``uv pip compile`` may take.
RESOLVE_TIMEOUT = 300.0

#: fttrack platform name -> uv's ``--python-platform``.
_UV_PLATFORMS: dict[str, str] = {
    "manylinux_x86_64": "x86_64-manylinux_2_28",
    "manylinux_aarch64": "aarch64-manylinux_2_28",
    "musllinux_x86_64": "x86_64-unknown-linux-musl",
    "musllinux_aarch64": "aarch64-unknown-linux-musl",
    "macosx_arm64": "aarch64-apple-darwin",
    "macosx_x86_64": "x86_64-apple-darwin",
    "win_amd64": "x86_64-pc-windows-msvc",
    "win_arm64": "aarch64-pc-windows-msvc",
    "win32": "i686-pc-windows-msvc",
}

# What uv says when a requirement has no usable wheel and builds are disabled.
_NO_WHEEL_MARKERS = (
    "no usable wheels",
    "building from source is disabled",
    "only-binary",
    "no-build",
)
# What uv says when the index cannot be reached.
_UNREACHABLE_MARKERS = (
    "error sending request",
    "Failed to fetch",
    "Could not connect",
    "dns error",
    "Connection refused",
    "tcp connect error",
)


class ResolutionError(FttrackError):
    """``uv pip compile`` could not resolve the requirements (or could not run)."""


@dataclass(frozen=True)
class Resolved:
    """The pinned set, and a note for stderr (empty when wheels sufficed)."""

    dependencies: tuple[Dependency, ...]
    note: str = ""


def uv_platform(platform: str) -> str:
    """uv's ``--python-platform`` for a fttrack platform name."""
    try:
        return _UV_PLATFORMS[platform]
    except KeyError:
        raise ResolutionError(f"--resolve: no uv platform for {platform!r}") from None


def _requirement_line(line: str) -> tuple[str, str | None, str]:
    """(name, pinned version or None, why it cannot be judged) of one output line."""
    from packaging.requirements import InvalidRequirement, Requirement

    from tracker.names import normalize_name

    if line.startswith(("-e ", "--editable")):
        target = line.split(None, 1)[-1]
        return Path(target.rstrip("/")).name or target, None, "editable install (local project)"
    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        return line, None, "cannot read this line of uv's output"
    name = normalize_name(requirement.name)
    if requirement.url:
        return name, None, "direct URL or local path: not on the index"
    pins = [s.version for s in requirement.specifier if s.operator in ("==", "===")]
    if len(pins) != 1:
        return name, None, f"not pinned by the resolution ({requirement.specifier})"
    return name, pins[0], ""


def _direct(parent: str) -> bool:
    """Whether a ``# via`` entry names the input itself rather than a package.

    ``-r requirements.txt``, ``-c constraints.txt``, ``demo (pyproject.toml)`` and
    ``demo (pyproject.toml:dev)`` have a space; package names never do.
    """
    return " " in parent.strip()


def parse_compiled(text: str, input_name: str) -> list[Dependency]:
    """The dependencies of ``uv pip compile`` output (``split`` annotations).

    Every dependency's origin is ``input_name``; ``via`` lists its parents
    (empty for a direct requirement of the input).
    """
    found: list[tuple[str, str | None, str, list[str]]] = []
    in_via = False
    for raw in text.splitlines():
        if not raw.strip():
            in_via = False
            continue
        if raw[0] not in (" ", "\t", "#"):
            line = raw.split(" #", 1)[0].strip()
            if line.startswith("--") and not line.startswith("--editable"):
                in_via = False  # --index-url and such
                continue
            name, version, why = _requirement_line(line)
            found.append((name, version, why, []))
            in_via = False
            continue
        comment = raw.strip().lstrip("#").strip()
        if not found:
            continue
        if comment.startswith("via"):
            rest = comment[3:].strip()
            in_via = not rest
            if rest:
                found[-1][3].append(rest)
        elif in_via and comment:
            found[-1][3].append(comment)
    dependencies = []
    for name, version, why, parents in found:
        direct = not parents or any(_direct(p) for p in parents)
        via = "" if direct else ", ".join(parents)
        dependencies.append(
            Dependency(
                name=name,
                version=version,
                specifier=f"=={version}" if version else "",
                origin=input_name,
                skipped_reason=why,
                via=via,
            )
        )
    return dependencies


def _summary(stderr: str) -> str:
    """uv's error output as one line (warnings and hints left out).

    >>> _summary("error: No solution found\\n  cause: Because x has no wheels.\\nhint: y")
    'No solution found: Because x has no wheels.'
    """
    kept = []
    for raw in stderr.splitlines():
        line = raw.strip()
        if not line or line.startswith(("warning:", "hint:", "help:")):
            continue
        line = line.removeprefix("error:").removeprefix("cause:").removeprefix("×").strip()
        if line:
            kept.append(line)
    text = " ".join(": ".join(kept).split()).replace(".:", ".")
    if len(text) > 400:
        text = text[:399] + "…"
    return text or "uv pip compile failed"


def _without_wheels(stderr: str) -> list[str]:
    """The packages uv names as having no usable wheel."""
    return sorted(set(re.findall(r"Wheels are required for `([^`]+)`", stderr)))


def _environment(index_url: str) -> dict[str, str]:
    """uv's environment: this one, with ``index_url`` as uv's index. The URL may hold
    credentials: it goes to uv here, never on its command line (readable by every
    local user)."""
    env = uv_index_environment(os.environ, index_url)
    env.update({"UV_NO_PROGRESS": "1", "UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1"})
    env.pop("VIRTUAL_ENV", None)
    return env


def _compile(
    argv: list[str], stdin: str | None, timeout: float, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            argv,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ResolutionError(f"--resolve: uv pip compile took longer than {timeout:g}s") from None
    except OSError as exc:
        raise ResolutionError(f"--resolve: cannot run uv: {exc.strerror or exc}") from None


def resolve_requirements(
    path: str,
    *,
    format_name: str,
    target: str,
    platform: str,
    index_url: str,
    direct: list[Dependency],
    stdin_text: str | None = None,
    uv: str | None = None,
    timeout: float = RESOLVE_TIMEOUT,
) -> Resolved:
    """Resolve ``path`` (a requirements file, a pyproject.toml, or ``-`` with
    ``stdin_text``) with uv for ``target`` × ``platform`` from ``index_url``.

    ``direct`` is what the input's own parser read: a direct requirement keeps its
    origin (file:line); what the input skipped (editable, URL) stays skipped.
    Raises :class:`ResolutionError` (one line) when uv is missing, the index is
    unreachable or the requirements cannot be resolved; the index URL and uv's own
    words in it are redacted (:func:`tracker.redact.redact`).
    """
    if format_name not in ("requirements", "pyproject.toml"):
        raise InputError(
            path,
            f"--resolve works on requirements files and pyproject.toml; {format_name} "
            "already pins every package",
        )
    if uv is None:
        from tracker.pythons.discover import uv_binary

        uv = uv_binary()
        if uv is None:
            raise ResolutionError("--resolve needs uv (pip install uv)")
    argv = [uv, "pip", "compile", path, "--no-header", "--annotation-style", "split"]
    argv += ["--python-version", target.removesuffix("t")]
    argv += ["--python-platform", uv_platform(platform)]
    argv.append("--quiet")  # the index goes in the environment (it may hold credentials)
    if format_name == "pyproject.toml":
        argv += ["--all-extras", *_group_options(path)]
    env = _environment(index_url)
    done = _compile([*argv, "--only-binary", ":all:"], stdin_text, timeout, env)
    note = ""
    if done.returncode != 0 and _any(done.stderr, _NO_WHEEL_MARKERS):
        names = ", ".join(_without_wheels(done.stderr)) or "some requirement"
        done = _compile(argv, stdin_text, timeout, env)
        if done.returncode == 0:
            note = (
                f"--resolve: {names} has no wheel for {target} {platform}; resolved again with "
                "source distributions allowed (for resolution only: the audit judges them)"
            )
    if done.returncode != 0:
        where = f"{path if path != '-' else '<stdin>'}: --resolve"
        if _any(done.stderr, _UNREACHABLE_MARKERS):
            raise ResolutionError(f"{where}: the index {redact(index_url)} is unreachable")
        raise ResolutionError(f"{where}: {redact(_summary(done.stderr))}")
    shown = path if path != "-" else "<stdin>"
    return Resolved(tuple(_merge(parse_compiled(done.stdout, shown), direct)), note)


def _any(text: str, markers: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(marker.lower() in lowered for marker in markers)


def _group_options(path: str) -> list[str]:
    """``--group path:NAME`` for every ``[dependency-groups]`` table of a pyproject.toml
    (the audit reads them all, as the input's parser does)."""
    from tracker.audit.sources.interface import load_toml, read_text

    try:
        document = load_toml(path, read_text(path))
    except InputError:
        return []  # the input's parser has already read it; uv will say what is wrong
    groups = document.get("dependency-groups", {})
    options: list[str] = []
    for group in sorted(groups) if isinstance(groups, dict) else []:
        options += ["--group", f"{path}:{group}"]
    return options


def _merge(resolved: list[Dependency], direct: list[Dependency]) -> list[Dependency]:
    """Resolved dependencies, direct ones with their input origin; then what the input
    skipped (editable, URL, path) and uv did not pin."""
    origins: dict[str, str] = {}
    for dep in direct:
        origins.setdefault(dep.name, dep.origin)
    skipped = [d for d in direct if d.skipped_reason]
    skipped_names = {d.name for d in skipped}
    merged = []
    for dep in resolved:
        if dep.skipped_reason and dep.name in skipped_names:
            continue
        if not dep.via and dep.name in origins:
            dep = replace(dep, origin=origins[dep.name])
        merged.append(dep)
    return merged + skipped
