"""Build small but real wheel files for index tests (zipfile, no build backend)."""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["build_wheel"]


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(
    directory: Path,
    name: str = "demo_pkg",
    version: str = "1.0",
    tag: str = "cp314-cp314t-manylinux_2_28_x86_64",
    *,
    requires_dist: Sequence[str] = ("numpy>=2.1", 'typing-extensions; python_version < "3.12"'),
    classifiers: Sequence[str] = (
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: Free Threading :: 3 - Stable",
    ),
    padding: int = 0,
    metadata_first: bool = False,
    compression: int = zipfile.ZIP_DEFLATED,
    extra_files: int = 0,
    zip64: bool = False,
) -> Path:
    """Write ``{name}-{version}-{tag}.whl`` into ``directory`` and return its path.

    ``padding`` adds that many incompressible bytes in a stored member, so the
    central directory and METADATA sit far from the start (or, with
    ``metadata_first``, METADATA sits at the start, far from the tail).
    ``extra_files`` adds that many small modules (a large central directory);
    ``zip64`` writes zip64 records (end of central directory and per-entry extras)
    even though the file is small.
    """
    dist_info = f"{name}-{version}.dist-info"
    lines = ["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}"]
    lines += ["Requires-Python: >=3.13"]
    lines += [f"Classifier: {c}" for c in classifiers]
    lines += [f"Requires-Dist: {r}" for r in requires_dist]
    metadata = ("\n".join(lines) + "\n\nA demo package.\n").encode()
    wheel = (
        f"Wheel-Version: 1.0\nGenerator: wheelkit\nRoot-Is-Purelib: false\nTag: {tag}\n".encode()
    )
    members: list[tuple[str, bytes, int]] = [
        (f"{name}/__init__.py", b"VALUE = 1\n", compression),
    ]
    for number in range(extra_files):
        members.append(
            (f"{name}/generated/module_with_a_long_name_{number:05d}.py", b"", compression)
        )
    if padding:
        members.append((f"{name}/blob.bin", os.urandom(padding), zipfile.ZIP_STORED))
    meta_members = [
        (f"{dist_info}/METADATA", metadata, compression),
        (f"{dist_info}/WHEEL", wheel, compression),
    ]
    members = meta_members + members if metadata_first else members + meta_members
    record = "\n".join(_record_line(n, d) for n, d, _ in members) + f"\n{dist_info}/RECORD,,\n"
    members.append((f"{dist_info}/RECORD", record.encode(), compression))
    path = directory / f"{name}-{version}-{tag}.whl"
    limits = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
    if zip64:  # make the stdlib writer take its zip64 paths for a small file
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = -1, 0  # type: ignore[misc]
    try:
        with zipfile.ZipFile(path, "w") as archive:
            for member, data, method in members:
                archive.writestr(member, data, compress_type=method)
    finally:
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = limits  # type: ignore[misc]
    return path
