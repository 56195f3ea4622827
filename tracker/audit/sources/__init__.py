"""Requirement sources: one module per file format, chosen by filename.

>>> detect_format("backend/poetry.lock")
'poetry.lock'
>>> detect_format("requirements-dev.txt")
'requirements'
>>> sorted(FORMATS)[:3]
['Pipfile.lock', 'pdm.lock', 'poetry.lock']
"""

from __future__ import annotations

import fnmatch
import importlib
import os
from pathlib import Path

import msgspec

from tracker.audit.sources.interface import STDIN, RequirementSource, display_path
from tracker.errors import InputError
from tracker.files import FileRefused, is_directory

__all__ = [
    "DIRECTORY_PREFERENCE",
    "FORMATS",
    "OpenedSource",
    "RequirementSource",
    "detect_format",
    "find_in_directory",
    "open_source",
    "source_for",
]

#: ``--format-in`` name -> "module:class" of its source (imported only when used).
FORMATS: dict[str, str] = {
    "requirements": "tracker.audit.sources.requirements:RequirementsSource",
    "uv.lock": "tracker.audit.sources.uvlock:UvLockSource",
    "poetry.lock": "tracker.audit.sources.poetry:PoetryLockSource",
    "pylock.toml": "tracker.audit.sources.pylock:PylockSource",
    "Pipfile.lock": "tracker.audit.sources.pipfile:PipfileLockSource",
    "pdm.lock": "tracker.audit.sources.pdm:PdmLockSource",
    "pyproject.toml": "tracker.audit.sources.pyproject:PyprojectSource",
}

# (glob on the file name, format), first match wins.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("uv.lock", "uv.lock"),
    ("poetry.lock", "poetry.lock"),
    ("pdm.lock", "pdm.lock"),
    ("Pipfile.lock", "Pipfile.lock"),
    ("pylock.toml", "pylock.toml"),
    ("pylock.*.toml", "pylock.toml"),
    ("pyproject.toml", "pyproject.toml"),
    ("*poetry*.lock", "poetry.lock"),
    ("*pdm*.lock", "pdm.lock"),
    ("*Pipfile*.lock", "Pipfile.lock"),
    ("*uv*.lock", "uv.lock"),
    ("*.txt", "requirements"),
    ("*.in", "requirements"),
)

#: Files looked for in a directory, best first: lockfiles before declarations.
DIRECTORY_PREFERENCE: tuple[str, ...] = (
    "uv.lock",
    "pylock.toml",
    "poetry.lock",
    "pdm.lock",
    "Pipfile.lock",
    "requirements.txt",
    "pyproject.toml",
)


class OpenedSource(msgspec.Struct, frozen=True):
    """A source ready to iterate, and a note on how it was chosen (for stderr)."""

    source: RequirementSource
    note: str


def detect_format(path: str) -> str | None:
    """The format name for a file name, or None when the name says nothing."""
    name = Path(path).name
    for pattern, format_name in _PATTERNS:
        if pattern == name or ("*" in pattern and fnmatch.fnmatchcase(name, pattern)):
            return format_name
    return None


def find_in_directory(directory: Path) -> tuple[Path, list[str]]:
    """The preferred dependency file in ``directory``, and every candidate present."""
    present = [name for name in DIRECTORY_PREFERENCE if (directory / name).is_file()]
    present += sorted(
        p.name for p in directory.glob("pylock.*.toml") if p.is_file() and p.name not in present
    )
    if not present:
        wanted = ", ".join(DIRECTORY_PREFERENCE)
        raise InputError(
            str(directory), f"no lockfile or requirements file here (looked for {wanted})"
        )
    return directory / present[0], present


def open_source(path: str, format_in: str | None = None) -> OpenedSource:
    """Open ``path`` (a file, a directory, or ``-`` for stdin) as a requirement source."""
    note = ""
    try:
        directory = path != STDIN and is_directory(path)
    except FileRefused as exc:
        raise InputError(path, exc.reason) from None
    if directory:
        chosen, present = find_in_directory(Path(path))
        others = [name for name in present if name != chosen.name]
        note = f"found {chosen.name} in {path}"
        if others:
            note += f" (preferred over {', '.join(others)})"
        path = str(chosen)
    if format_in is not None:
        if format_in not in FORMATS:
            known = ", ".join(FORMATS)
            raise InputError(
                display_path(path), f"unknown --format-in {format_in!r} (known: {known})"
            )
        format_name = format_in
    elif path == STDIN:
        format_name = "requirements"
    else:
        detected = detect_format(path)
        if detected is None and not os.path.lexists(path):
            raise InputError(path, "no such file")
        if detected is None:
            known = ", ".join(FORMATS)
            raise InputError(
                path, f"cannot tell the format from the file name; pass --format-in ({known})"
            )
        format_name = detected
    return OpenedSource(source_for(format_name, path), note)


def source_for(format_name: str, path: str, *, text: str | None = None) -> RequirementSource:
    """An instance of the source class of ``format_name`` over ``path`` (or ``text``)."""
    module_name, class_name = FORMATS[format_name].split(":")
    source: RequirementSource = getattr(importlib.import_module(module_name), class_name)(
        path, text=text
    )
    return source
