"""Read what a probe venv holds, from files only: no code of the package runs.

For every installed distribution we read ``*.dist-info/METADATA`` (its name
and version) and ``RECORD`` (its files). A file is an extension module when
its name ends with one of the interpreter's ``EXTENSION_SUFFIXES`` *and* it
exports ``PyInit_<name>`` (plain shared libraries loaded by ctypes or cffi do
not). Top-level import names come from the RECORD's paths.
"""

from __future__ import annotations

import csv
import email.parser
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

__all__ = ["Distribution", "find_site_packages", "read_distributions"]

#: Top-level names that wheels sometimes ship by mistake and nobody imports.
_NOT_IMPORTED = frozenset({"test", "tests", "testing", "docs", "doc", "examples", "benchmarks"})


@dataclass
class Distribution:
    """One installed distribution and the modules it ships."""

    name: str
    version: str
    top_level: list[str] = field(default_factory=list)
    extension_modules: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The normalised project name."""
        return str(canonicalize_name(self.name))


def find_site_packages(venv: Path) -> Path:
    """The ``site-packages`` directory of a venv."""
    matches = sorted(venv.glob("lib/python3*/site-packages"))
    if not matches:
        raise FileNotFoundError(f"{venv}: no site-packages directory")
    return matches[0]


def _module_name(relative: str, suffixes: Sequence[str]) -> tuple[str, bool] | None:
    """Module name of a RECORD path and whether it is binary, or None if not a module."""
    if relative.endswith(".py"):
        stem = relative[: -len(".py")]
        binary = False
    else:
        suffix = next(
            (s for s in sorted(suffixes, key=len, reverse=True) if relative.endswith(s)), None
        )
        if suffix is None:
            return None
        stem = relative[: -len(suffix)]
        binary = True
    parts = stem.split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts), binary


def exports_init(path: Path, module: str) -> bool:
    """True when the shared object at ``path`` exports ``PyInit_<last part of module>``.

    Reads the bytes of the file: the dynamic string table holds exported
    symbol names as NUL-terminated strings.
    """
    needle = b"PyInit_" + module.rsplit(".", 1)[-1].encode() + b"\0"
    try:
        with path.open("rb") as handle:
            data = handle.read()
    except OSError:
        return False
    return needle in data


def read_distributions(site_packages: Path, suffixes: Sequence[str]) -> list[Distribution]:
    """Every distribution installed in ``site_packages``."""
    found: list[Distribution] = []
    for dist_info in sorted(site_packages.glob("*.dist-info")):
        metadata_path = dist_info / "METADATA"
        record_path = dist_info / "RECORD"
        if not metadata_path.is_file() or not record_path.is_file():
            continue
        metadata = email.parser.Parser().parsestr(
            metadata_path.read_text(errors="replace"), headersonly=True
        )
        dist = Distribution(
            name=metadata.get("Name", dist_info.name), version=metadata.get("Version", "")
        )
        top: dict[str, None] = {}
        with record_path.open(newline="", errors="replace") as handle:
            for row in csv.reader(handle):
                if not row or row[0].startswith(("../", "/")) or ".dist-info/" in row[0]:
                    continue
                parsed = _module_name(row[0], suffixes)
                if parsed is None:
                    continue
                name, binary = parsed
                if "__pycache__" in name:
                    continue
                dist.modules.append(name)
                if binary and exports_init(site_packages / row[0], name):
                    dist.extension_modules.append(name)
                top.setdefault(name.split(".")[0], None)
        dist.top_level = [t for t in top if t not in _NOT_IMPORTED]
        dist.extension_modules.sort()
        found.append(dist)
    return found
