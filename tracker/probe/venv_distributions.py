"""Read what a probe venv holds, from files only: no code of the package runs.

For every installed distribution we read ``*.dist-info/METADATA`` (its name
and version) and ``RECORD`` (its files). A file is an extension module when
its name ends with one of the interpreter's ``EXTENSION_SUFFIXES`` *and* it
exports ``PyInit_<name>`` (plain shared libraries loaded by ctypes or cffi do
not). Top-level import names come from the RECORD's paths.

Every read is bounded: METADATA and RECORD are read up to a size, a path that
RECORD lists twice is looked at once, and the ``PyInit_`` check reads only an
ELF file's dynamic string table (else a bounded scan), never a whole library.
"""

from __future__ import annotations

import csv
import email.parser
import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from tracker.names import split_requirements
from tracker.probe.archives import read_head

__all__ = ["Distribution", "find_site_packages", "read_distributions"]

#: Top-level names that wheels sometimes ship by mistake and nobody imports.
_NOT_IMPORTED = frozenset({"test", "tests", "testing", "docs", "doc", "examples", "benchmarks"})
#: Bounds on what is read of the files of one distribution.
MAX_METADATA_BYTES = 1 << 20
MAX_RECORD_BYTES = 64 << 20
MAX_RECORD_ROWS = 500_000
MAX_DYNSTR_BYTES = 64 << 20
MAX_SCAN_BYTES = 256 << 20
_SHT_DYNSYM = 11


@dataclass
class Distribution:
    """One installed distribution and the modules it ships."""

    name: str
    version: str
    top_level: list[str] = field(default_factory=list)
    extension_modules: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    #: Normalised names of the requirements declared only under an extra
    #: (``Requires-Dist: aiohttp; extra == "d"``): optional dependencies.
    extra_only: frozenset[str] = frozenset()

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


def _elf_dynstr(handle: io.BufferedReader) -> bytes | None:
    """The dynamic string table of an ELF file (exported symbol names), or None when the
    file is not ELF or its tables are out of bounds."""
    ident = handle.read(16)
    if ident[:4] != b"\x7fELF" or ident[4] not in (1, 2) or ident[5] not in (1, 2):
        return None
    wide = ident[4] == 2
    order = "<" if ident[5] == 1 else ">"
    header = handle.read(48 if wide else 36)
    if wide:
        (shoff,) = struct.unpack_from(order + "Q", header, 24)
        shentsize, shnum = struct.unpack_from(order + "HH", header, 42)
    else:
        (shoff,) = struct.unpack_from(order + "I", header, 16)
        shentsize, shnum = struct.unpack_from(order + "HH", header, 30)
    if not shoff or shnum == 0 or shnum > 65_535 or shentsize < (64 if wide else 40):
        return None
    handle.seek(shoff)
    table = handle.read(shentsize * shnum)
    sections = []
    for index in range(len(table) // shentsize):
        entry = table[index * shentsize : (index + 1) * shentsize]
        if wide:
            kind, offset, size, link = (*struct.unpack_from(order + "I", entry, 4),
                                        *struct.unpack_from(order + "QQI", entry, 24))  # fmt: skip
        else:
            kind, offset, size, link = (*struct.unpack_from(order + "I", entry, 4),
                                        *struct.unpack_from(order + "III", entry, 16))  # fmt: skip
        sections.append((kind, offset, size, link))
    for kind, _offset, _size, link in sections:
        if kind == _SHT_DYNSYM and 0 <= link < len(sections):
            _kind, offset, size, _link = sections[link]
            if size > MAX_DYNSTR_BYTES:
                return None
            handle.seek(offset)
            return handle.read(size)
    return None


def exports_init(path: Path, module: str) -> bool:
    """True when the shared object at ``path`` exports ``PyInit_<last part of module>``.

    For ELF files, reads the dynamic string table only (exported symbol names
    as NUL-terminated strings); for anything else, scans at most
    :data:`MAX_SCAN_BYTES` in chunks.
    """
    needle = b"PyInit_" + module.rsplit(".", 1)[-1].encode() + b"\0"
    try:
        with path.open("rb") as handle:
            try:
                dynstr = _elf_dynstr(handle)
            except struct.error:
                dynstr = None
            if dynstr is not None:
                return b"\0" + needle in dynstr or dynstr.startswith(needle)
            handle.seek(0)
            return _scan(handle, needle)
    except OSError:
        return False


def _scan(handle: io.BufferedReader, needle: bytes) -> bool:
    """Whether ``needle`` is in the first :data:`MAX_SCAN_BYTES` of ``handle``."""
    carry = b""
    read = 0
    while read < MAX_SCAN_BYTES:
        chunk = handle.read(1 << 20)
        if not chunk:
            return False
        read += len(chunk)
        if needle in carry + chunk:
            return True
        carry = chunk[-len(needle) :]
    return False


def read_distributions(site_packages: Path, suffixes: Sequence[str]) -> list[Distribution]:
    """Every distribution installed in ``site_packages``."""
    found: list[Distribution] = []
    for dist_info in sorted(site_packages.glob("*.dist-info")):
        metadata_path = dist_info / "METADATA"
        record_path = dist_info / "RECORD"
        if not metadata_path.is_file() or not record_path.is_file():
            continue
        metadata = email.parser.Parser().parsestr(
            read_head(metadata_path, MAX_METADATA_BYTES).decode("utf-8", "replace"),
            headersonly=True,
        )
        dist = Distribution(
            name=metadata.get("Name", dist_info.name),
            version=metadata.get("Version", ""),
            extra_only=frozenset(split_requirements(metadata.get_all("Requires-Dist") or [])[1]),
        )
        top: dict[str, None] = {}
        seen: set[str] = set()
        record = read_head(record_path, MAX_RECORD_BYTES).decode("utf-8", "replace")
        for count, row in enumerate(csv.reader(io.StringIO(record, newline=""))):
            if count >= MAX_RECORD_ROWS:
                break
            if not row or row[0] in seen:
                continue  # a path listed twice is looked at once
            seen.add(row[0])
            if row[0].startswith(("../", "/")) or ".dist-info/" in row[0]:
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
