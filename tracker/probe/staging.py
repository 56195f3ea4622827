"""Resolve a requirement to wheel files, download and check them before anything unpacks.

``uv pip install`` from an index unpacks each wheel as it downloads it, on the
host: too late to refuse a zip bomb. So a probe from an index works in three
steps here:

1. ``uv pip compile --format pylock.toml`` for the probe's interpreter (wheels
   only) names the one wheel of each distribution to install, with its URL,
   size and sha256;
2. each wheel is downloaded into a staging directory, its byte count capped
   while it streams, its sha256 checked, and its central directory read by
   :func:`~tracker.probe.archives.check_wheel`: the uncompressed sizes it
   declares must stay under the probe's cap, in total;
3. the caller installs the staged files with ``--no-index --no-deps``.

The index URL reaches uv through its environment (``UV_DEFAULT_INDEX``), never its
command line: it may hold credentials, which the downloads of step 2 send on to the
index's own origin only.

A failure of the index (429, 5xx, timeouts, a broken download) raises
:class:`~tracker.errors.TransientProbeError`; a wheel over the cap is a
:class:`~tracker.probe.archives.WheelRefused`, which the caller turns into an
``install-failed`` verdict.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tracker.config import uv_index_environment
from tracker.errors import TransientProbeError
from tracker.probe import cancel
from tracker.probe.archives import WheelRefused, check_wheel

__all__ = ["Staged", "download", "index_credentials", "stage_wheels"]

_COMPILE_TIMEOUT = 600
_DOWNLOAD_TIMEOUT = 120.0


@dataclass
class Staged:
    """The result of staging: wheel files ready to install, or why not."""

    wheels: list[Path] = field(default_factory=list)
    pins: list[str] = field(default_factory=list)
    refused: WheelRefused | None = None
    resolver_error: str | None = None
    declared_bytes: int = 0


def _compile(
    uv: str, requirements: Sequence[str], *, python: Path, index_url: str, env: dict[str, str],
    scratch: Path, fsize: int,
) -> subprocess.CompletedProcess[str]:  # fmt: skip
    lock = scratch / "pylock.toml"
    # the index goes in uv's environment, never its command line: the URL may hold
    # credentials, and every local user can read a command line
    argv = [
        uv, "pip", "compile", "--format", "pylock.toml", "--no-header", "--quiet",
        "--python", str(python), "--only-binary", ":all:", "--no-config",
        "-o", str(lock), "-",
    ]  # fmt: skip
    try:
        return cancel.run(
            argv, input="\n".join(requirements) + "\n", env=uv_index_environment(env, index_url),
            timeout=_COMPILE_TIMEOUT, cwd=str(scratch), preexec_fn=_fsize_limit(fsize),
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise TransientProbeError(f"resolving took over {_COMPILE_TIMEOUT}s") from None


def _fsize_limit(limit: int) -> Callable[[], None]:
    """A preexec function capping the size of any one file the child writes."""
    import resource

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def index_credentials(index_url: str, url: str) -> tuple[str, str] | None:
    """The user and password of ``index_url`` when ``url`` is on the same origin (scheme,
    host, port), as uv sends them: the file URLs uv resolves carry none.

    >>> index_credentials("https://me:t%40k@host/simple/", "https://host/files/a.whl")
    ('me', 't@k')
    >>> index_credentials("https://me:tok@host/simple/", "https://cdn.example/a.whl") is None
    True
    """
    index, file = urlsplit(index_url), urlsplit(url)
    if index.username is None and index.password is None:
        return None
    same = (index.scheme, index.hostname, index.port) == (file.scheme, file.hostname, file.port)
    return (unquote(index.username or ""), unquote(index.password or "")) if same else None


def download(
    url: str, dest: Path, *, sha256: str | None, cap: int, auth: tuple[str, str] | None = None
) -> int:
    """Stream ``url`` into ``dest``, at most ``cap`` bytes; check the sha256. Returns the
    size, or -1 when the file is over the cap. ``auth``: HTTP basic credentials (not
    sent on after a redirect to another origin). A cancelled run
    (:mod:`tracker.probe.cancel`) stops between two chunks."""
    import httpx

    digest = hashlib.sha256()
    size = 0
    try:
        with (
            httpx.stream(
                "GET", url, timeout=_DOWNLOAD_TIMEOUT, follow_redirects=True, auth=auth
            ) as response,
            dest.open("wb") as handle,
        ):
            if response.status_code >= 400:
                raise TransientProbeError(f"download of {dest.name}: HTTP {response.status_code}")
            for chunk in response.iter_bytes(1 << 20):
                cancel.check()
                size += len(chunk)
                if size > cap:
                    return -1
                handle.write(chunk)
                digest.update(chunk)
    except httpx.HTTPError as exc:
        raise TransientProbeError(f"download of {dest.name} failed: {exc}") from None
    if sha256 and digest.hexdigest() != sha256.lower():
        raise TransientProbeError(f"download of {dest.name}: sha256 does not match the index's")
    return size


def stage_wheels(
    requirements: Sequence[str],
    *,
    uv: str,
    python: Path,
    index_url: str,
    env: dict[str, str],
    scratch: Path,
    max_unpacked_bytes: int,
    skip: frozenset[str] = frozenset(),
    cache_dir: Path | None = None,
) -> Staged:
    """Resolve ``requirements`` and download their wheels into ``scratch/wheels``, checked.

    ``skip``: normalised names already installed (not downloaded again).
    ``cache_dir``: verified wheels are kept there by sha256 and reused by later probes
    (each is checked again before use).
    """
    from packaging.utils import canonicalize_name

    staged = Staged()
    compiled = _compile(
        uv, requirements, python=python, index_url=index_url, env=env, scratch=scratch,
        fsize=max_unpacked_bytes,
    )  # fmt: skip
    if compiled.returncode != 0:
        staged.resolver_error = compiled.stderr
        return staged
    try:
        lock = tomllib.loads((scratch / "pylock.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TransientProbeError(f"the resolver wrote no readable lock: {exc}") from None
    wheel_dir = scratch / "wheels"
    wheel_dir.mkdir(exist_ok=True)
    for package in lock.get("packages", []):
        name, version = str(package.get("name", "")), str(package.get("version", ""))
        staged.pins.append(f"{name}=={version}")
        if canonicalize_name(name) in skip:
            continue
        wheels = package.get("wheels") or []
        if not wheels:
            staged.refused = WheelRefused(name, "the resolver found no wheel to install")
            return staged
        wheel = wheels[0]
        url = str(wheel.get("url", ""))
        filename = Path(unquote(urlsplit(url).path)).name
        remaining = max_unpacked_bytes - staged.declared_bytes
        declared_size = int(wheel.get("size", 0) or 0)
        if declared_size > remaining:
            staged.refused = WheelRefused(
                filename, f"{declared_size:,} bytes to download, above what the cap leaves"
            )
            return staged
        if not filename.endswith(".whl") or filename.startswith("."):
            staged.refused = WheelRefused(name, f"not a wheel file name: {filename!r}")
            return staged
        sha256 = (wheel.get("hashes") or {}).get("sha256")
        cached = cache_dir / sha256 / filename if cache_dir and sha256 else None
        if cached is not None and cached.is_file():
            dest = cached  # downloaded and verified by an earlier probe; checked again below
        elif download(url, dest := wheel_dir / filename, sha256=sha256, cap=remaining,
                      auth=index_credentials(index_url, url)) < 0:  # fmt: skip
            dest.unlink(missing_ok=True)
            staged.refused = WheelRefused(filename, "larger than the cap on unpacked size")
            return staged
        declared, refused = check_wheel(dest, max_unpacked_bytes)
        if refused is None and declared > remaining:
            refused = WheelRefused(
                filename,
                f"brings the probe's unpacked total above the cap of {max_unpacked_bytes:,} bytes",
            )
        if refused is not None:
            dest.unlink(missing_ok=True)
            staged.refused = refused
            return staged
        staged.declared_bytes += declared
        if cached is not None and dest != cached:
            dest = _keep(dest, cached)
        staged.wheels.append(dest)
    return staged


def _keep(path: Path, cached: Path) -> Path:
    """Move a verified download into the wheel cache (atomically); returns where it is."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f".{cached.name}.{os.getpid()}.{threading.get_ident()}")
        shutil.move(path, partial)
        os.replace(partial, cached)
    except OSError:
        return path if path.exists() else cached
    return cached
