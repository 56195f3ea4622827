"""Judge a release that ships only an sdist: build its wheel inside the sandbox, then look.

Building an sdist runs the package's own build backend (``setup.py``, a PEP 517
hook): untrusted code, so it runs only inside the sandbox, at the level a probe
uses, with the limits of :data:`BUILD_LIMITS`. Order of work:

1. **On the host, no package code runs**: the sdist is downloaded (from the
   index, its sha256 checked and its size capped while it streams, or given as
   a local file); its ``pyproject.toml`` is read out of the archive without
   unpacking anything else (a bounded stream: at most :data:`MAX_SCAN_BYTES`
   decompressed, :data:`MAX_PYPROJECT_BYTES` for the file itself); its
   ``[build-system] requires`` (else PEP 517's fallback, setuptools) are
   resolved for the target interpreter and their wheels downloaded and checked
   like a probe's (:func:`~tracker.probe.staging.stage_wheels`, wheels only).
2. **In the sandbox, no network**: ``uv build --wheel --no-index --find-links``
   over a read-only directory holding the sdist and those wheels, with the
   target interpreter; uv unpacks the sdist, makes the isolated build
   environment and runs the backend, all on the sandbox's size-capped tmpfs.
   The one wheel it makes is written to the sandbox's stdout, a host file
   capped by ``RLIMIT_FSIZE``: the build can write nothing else of the host.
3. A build that asks for a requirement its ``pyproject.toml`` does not name
   (``get_requires_for_build_wheel``: ``setup_requires``, ...) fails with uv's
   ``X was not found in the provided package locations``: X is staged too and
   the build runs again (at most :data:`MAX_ROUNDS` builds).
4. **On the host again**: the wheel's name must be a wheel of the release; its
   central directory is checked (:func:`~tracker.probe.archives.check_wheel`)
   and its file list read (a zip: nothing runs). No file ends in one of the
   interpreter's ``EXTENSION_SUFFIXES``: the verdict is ``pure``, detail
   ``built from sdist, no extension modules``. Otherwise the built wheel is
   probed like any local wheel (:func:`~tracker.probe.runner.run_probe`).

A build that fails (the backend errs, a build requirement has no wheel for the
target, the limits end it) is an ``sdist-only`` verdict with the reason in its
detail. An index that fails (429, 5xx, a broken download) raises
:class:`~tracker.errors.TransientProbeError`: nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import lzma
import re
import shutil
import tarfile
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import msgspec.structs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from tracker.errors import IndexUnavailable, ProjectNotFound, TransientProbeError
from tracker.models import ProbeResult, SandboxReport, Status
from tracker.probe.archives import (
    bounded_lines,
    check_wheel,
    default_max_unpacked_bytes,
    sdist_members,
)
from tracker.probe.runner import (
    ProbeRequest,
    _install_error,
    install_failure_is_verdict,
    run_probe,
    shared_wheel_cache,
)
from tracker.probe.sandbox import Limits, Sandbox
from tracker.probe.staging import download, index_credentials, stage_wheels
from tracker.pythons.discover import Interpreter, clean_environment, uv_binary
from tracker.wheels import this_platform

__all__ = [
    "BUILD_LIMITS",
    "MAX_PYPROJECT_BYTES",
    "MAX_ROUNDS",
    "MAX_SCAN_BYTES",
    "PURE_DETAIL",
    "Built",
    "SdistFile",
    "build_requires",
    "build_wheel",
    "built_from_sdist",
    "extension_files",
    "find_sdist",
    "probe_sdist",
]

#: The detail of a release whose sdist builds a wheel without extension modules.
PURE_DETAIL = "built from sdist, no extension modules"
#: The budget of one build: a C++ build on two cores takes minutes; the sandbox's
#: /tmp holds the unpacked sdist, the build environment and the output.
BUILD_LIMITS = Limits(
    wall_seconds=900.0,
    idle_seconds=900.0,  # a build reports no progress: only the wall clock ends it
    cpu_seconds=1800,
    address_space_bytes=16 << 30,
    memory_bytes=6 << 30,
    file_size_bytes=512 << 20,
    tmp_bytes=2 << 30,
    open_files=1024,
    processes=512,
)
#: Builds per release: the first, and one more per round of build requirements the
#: backend asked for at build time.
MAX_ROUNDS = 3
#: An sdist larger than this is not downloaded (bytes).
MAX_SDIST_BYTES = 256 << 20
#: Decompressed bytes read from an sdist on the host to find its pyproject.toml.
MAX_SCAN_BYTES = 256 << 20
#: The largest pyproject.toml read.
MAX_PYPROJECT_BYTES = 1 << 20
_MAX_MEMBERS = 200_000
_MAX_REQUIRES = 64
_SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip")
#: PEP 517's build requirements for a source tree without [build-system]; ``wheel``
#: for setuptools older than 70.1, whose wheel hook asks for it.
_LEGACY_REQUIRES = ("setuptools>=40.8.0", "wheel")
_NOT_FOUND = re.compile(
    r"Because ([A-Za-z0-9][A-Za-z0-9._-]*) was not found in the provided package locations"
)
#: Run inside the sandbox by the target interpreter (``-I -S``): uv builds the one
#: wheel (its output and the backend's on stderr, the report channel closed to them),
#: then the report names the wheel and its bytes go to stdout, a capped host file.
_DRIVER = """
import glob, os, shutil, subprocess, sys
uv, links, python, sdist, channel = sys.argv[1:6]
channel = int(channel)
env = dict(os.environ, UV_CACHE_DIR="/tmp/uv-cache", UV_OFFLINE="1", UV_NO_PROGRESS="1",
           UV_PYTHON_DOWNLOADS="never")
argv = [uv, "build", "--wheel", "--no-config", "--no-index", "--find-links", links,
        "--python", python, "--out-dir", "/tmp/fttrack-out", sdist]
status = subprocess.call(argv, stdout=2, stdin=subprocess.DEVNULL, env=env, close_fds=True)
if status != 0:
    os.write(channel, b"failed %d\\n" % status)
    sys.exit(0)
wheels = glob.glob("/tmp/fttrack-out/*.whl")
if len(wheels) != 1:
    os.write(channel, b"wheels %d\\n" % len(wheels))
    sys.exit(0)
os.write(channel, ("wheel " + os.path.basename(wheels[0]) + "\\n").encode())
with open(wheels[0], "rb") as handle:
    shutil.copyfileobj(handle, sys.stdout.buffer)
"""
#: Where Debian's compiler names (``cc``, ``c++``) point: a build runs them by name.
_TOOL_LINKS = tuple(p for p in (Path("/etc/alternatives"),) if p.is_dir())
Progress = Callable[[str], None]


@dataclass(frozen=True)
class SdistFile:
    """The sdist of a release on the index."""

    filename: str
    url: str
    sha256: str | None = None
    size: int | None = None


@dataclass
class Built:
    """What building an sdist gave: a checked wheel on the host, or why not."""

    wheel: Path | None = None
    #: Why there is no wheel (one line for the verdict's detail).
    failure: str = ""
    #: The end of the build's log (the backend's and uv's output).
    log_tail: str = ""
    #: The build requirements staged for the last build.
    requires: list[str] = field(default_factory=list)
    builds: int = 0
    reports: list[SandboxReport] = field(default_factory=list)


#: How the detail of a verdict an sdist build decided starts (see :func:`probe_sdist`).
_SDIST_DETAILS = (PURE_DETAIL, "built from sdist (", "the sdist did not build", "no sdist ",
                  "the sdist is over")  # fmt: skip


def built_from_sdist(detail: str) -> bool:
    """Whether a verdict's detail says an sdist build decided it (so probing it again
    means building again).

    >>> built_from_sdist(PURE_DETAIL), built_from_sdist("built from sdist (x-1.0.whl); ")
    (True, True)
    >>> built_from_sdist("imports numpy, which x does not declare")
    False
    """
    return detail.startswith(_SDIST_DETAILS)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def find_sdist(project: str, version: str, index_url: str) -> SdistFile | None:
    """The sdist of ``project`` ``version`` on the index (a non-yanked one first; a
    ``.tar.gz`` before a ``.zip``), or None when the release has none.

    An index that does not answer raises :class:`TransientProbeError`.
    """
    from tracker.index.pypi import SyncPypiIndex

    try:
        with SyncPypiIndex(index_url) as index:
            page = index.get_project(project)
    except ProjectNotFound:
        return None
    except IndexUnavailable as exc:
        raise TransientProbeError(f"the index did not list {project}: {exc}") from None
    wanted = _version(version)
    found = [
        f
        for f in page.files
        if not f.is_wheel
        and f.filename.lower().endswith(_SDIST_SUFFIXES)
        and f.version is not None
        and _version(f.version) == wanted
    ]
    if not found:
        return None
    best = min(found, key=lambda f: (f.is_yanked, not f.filename.endswith(".tar.gz")))
    return SdistFile(best.filename, best.url, best.sha256, best.size)


def _version(text: str) -> Version | str:
    try:
        return Version(text)
    except InvalidVersion:
        return text


def _pyproject_text(sdist: Path) -> str | None:
    """The sdist's top-level ``pyproject.toml``, read without unpacking anything else
    (None when it has none). Raises ValueError for an archive it cannot read."""
    members = sdist_members(sdist, max_entries=_MAX_MEMBERS, max_scan_bytes=MAX_SCAN_BYTES)
    for name, is_file, _is_dir, size, open_member in members:
        parts = name.strip("/").split("/")
        if len(parts) == 2 and parts[1] == "pyproject.toml" and is_file:
            if size > MAX_PYPROJECT_BYTES:
                raise ValueError("pyproject.toml is larger than 1 MiB")
            handle = open_member()
            if handle is None:
                return None
            with handle:
                return handle.read(MAX_PYPROJECT_BYTES).decode("utf-8")
    return None


def build_requires(sdist: Path) -> list[str]:
    """The build requirements ``sdist`` declares (``[build-system] requires``), or
    PEP 517's fallback (setuptools) when it declares none. Read on the host, bounded;
    nothing is unpacked. Raises ValueError for an archive or a pyproject.toml that
    cannot be read (the build would fail the same way)."""
    try:
        text = _pyproject_text(sdist)
    except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, lzma.LZMAError,
            UnicodeDecodeError) as exc:  # fmt: skip
        raise ValueError(f"cannot read {sdist.name}: {exc}") from None
    if text is None:
        return list(_LEGACY_REQUIRES)
    try:
        table = tomllib.loads(text).get("build-system")
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"pyproject.toml of {sdist.name} is not TOML: {exc}") from None
    requires = table.get("requires") if isinstance(table, dict) else None
    if not isinstance(requires, list):
        return list(_LEGACY_REQUIRES)
    found: list[str] = []
    for item in requires[:_MAX_REQUIRES]:
        if not isinstance(item, str):
            raise ValueError(f"pyproject.toml of {sdist.name}: a build requirement is not text")
        try:
            Requirement(item)
        except InvalidRequirement as exc:
            raise ValueError(f"invalid build requirement {item!r}: {exc}") from None
        found.append(item)
    names = {canonicalize_name(Requirement(r).name) for r in found}
    if "setuptools" in names and "wheel" not in names:
        found.append("wheel")
    return found


def extension_files(wheel: Path, suffixes: Sequence[str]) -> list[str]:
    """The files of ``wheel`` that end in one of ``suffixes`` (the target
    interpreter's ``EXTENSION_SUFFIXES``): read from its central directory only."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    return sorted(n for n in names if not n.endswith("/") and n.endswith(tuple(suffixes)))


def _stage_requires(
    requires: Sequence[str],
    *,
    interpreter: Interpreter,
    index_url: str | None,
    env: dict[str, str],
    scratch: Path,
    inputs: Path,
    uv: str,
    cap: int,
    wheel_cache: Path,
) -> str | None:
    """Download the wheels of ``requires`` (resolved for the interpreter) into
    ``inputs``, checked; returns why they cannot be (a verdict), or None."""
    if not requires:
        return None
    if index_url is None:
        return "no index to fetch the build requirements from"
    scratch.mkdir(parents=True, exist_ok=True)
    staged = stage_wheels(
        requires, uv=uv, python=interpreter.path, index_url=index_url, env=env,
        scratch=scratch, max_unpacked_bytes=cap, cache_dir=wheel_cache,
    )  # fmt: skip
    if staged.resolver_error is not None:
        if not install_failure_is_verdict(staged.resolver_error):
            raise TransientProbeError(
                f"resolving build requirements failed: {_install_error(staged.resolver_error)}"
            )
        return f"build requirements cannot be installed: {_install_error(staged.resolver_error)}"
    if staged.refused is not None:
        return f"refused a build requirement: {staged.refused}"
    for wheel in staged.wheels:
        copied = inputs / wheel.name
        if not copied.exists():
            shutil.copyfile(wheel, copied)
            copied.chmod(0o644)
    return None


def _failure_reason(lines: Sequence[str], report: SandboxReport, limits: Limits) -> str:
    """One line on why a build failed: uv's summary and the backend's last error."""
    if report.timed_out:
        return f"the build took over {limits.wall_seconds:.0f}s"
    if report.oom_killed:
        return "the build was killed: memory limit"
    if report.cpu_limit_hit:
        return "the build was killed: CPU time limit"
    uv_lines = ("×", "├─▶", "╰─▶", "error:", "cause:", "Caused by:", "hint:")
    summary = [
        re.sub(r"^(error|cause|Caused by):\s*", "", line.strip().lstrip("×├╰─▶ ").strip())
        for line in lines
        if line.strip().startswith(uv_lines[:-1])
    ]
    output = [
        line.strip() for line in lines if line.strip() and not line.strip().startswith(uv_lines)
    ]
    errors = [line for line in output if re.search(r"error|exception", line, re.IGNORECASE)]
    backend = errors or output  # the last error line, else the backend's last words
    parts = summary[-1:] + backend[-1:]
    text = ": ".join(p for p in parts if p) or (lines[-1].strip() if lines else "no output")
    return re.sub(r"/tmp/fttrack-[^\s`']*/", "", text)[:600]


def build_wheel(
    sdist: Path,
    *,
    project: str,
    version: str,
    interpreter: Interpreter,
    sandbox: Sandbox,
    uv_cache_dir: Path,
    index_url: str | None,
    scratch: Path,
    limits: Limits = BUILD_LIMITS,
    max_unpacked_bytes: int | None = None,
    progress: Progress = lambda message: None,
) -> Built:
    """Build ``sdist`` (a file on the host) into a wheel of ``project`` ``version``
    for ``interpreter``, the backend running inside ``sandbox`` without network.

    ``scratch`` must be a fresh directory the sandbox's uid may read (mode 0755).
    Every failure of the package is a :class:`Built` with ``failure`` set; a
    transient failure of the index raises :class:`TransientProbeError`.
    """
    found_uv = uv_binary()
    if found_uv is None:
        raise TransientProbeError("uv is not installed: pip install uv")
    uv = str(Path(found_uv).resolve())
    cap = max_unpacked_bytes or default_max_unpacked_bytes()
    built = Built()
    try:
        requires = build_requires(sdist)
    except ValueError as exc:
        built.failure = f"the sdist cannot be read: {exc}"
        return built
    inputs = scratch / "inputs"
    inputs.mkdir(mode=0o755)
    inputs.chmod(0o755)
    source = inputs / sdist.name
    shutil.copyfile(sdist, source)
    source.chmod(0o644)
    env = clean_environment()
    env.update({"UV_CACHE_DIR": str(uv_cache_dir), "UV_PYTHON_DOWNLOADS": "never",
                "UV_NO_PROGRESS": "1"})  # fmt: skip
    wheel_cache = shared_wheel_cache(uv_cache_dir)
    for round_ in range(1, MAX_ROUNDS + 1):
        progress(f"staging build requirements: {', '.join(requires) or 'none'}")
        refused = _stage_requires(
            requires, interpreter=interpreter, index_url=index_url, env=env,
            scratch=scratch / f"stage-{round_}", inputs=inputs, uv=uv, cap=cap,
            wheel_cache=wheel_cache,
        )  # fmt: skip
        built.requires = list(requires)
        if refused is not None:
            built.failure = refused
            return built
        progress(f"building {sdist.name} in the sandbox (build {round_})")
        log_dir = scratch / f"build-{round_}"
        log_dir.mkdir()
        events: list[str] = []

        def on_line(line: str, events: list[str] = events) -> None:
            if len(events) < 16:  # the build can write to this channel too: bounded
                events.append(line[:512])

        report = sandbox.run(
            [str(interpreter.path), "-I", "-S", "-c", _DRIVER, uv, str(inputs),
             str(interpreter.path), str(source), "{events_fd}"],
            ro_paths=[interpreter.prefix, inputs, Path(uv), *_TOOL_LINKS],
            limits=limits,
            log_dir=log_dir,
            on_line=on_line,
        )  # fmt: skip
        built.builds += 1
        built.reports.append(report)
        lines = list(bounded_lines(log_dir / "stderr.log"))[-400:]
        built.log_tail = "\n".join(lines)[-2000:]
        wheels = [e.removeprefix("wheel ").strip() for e in events if e.startswith("wheel ")]
        if len(wheels) == 1 and report.returncode == 0 and not report.timed_out:
            return _take_wheel(built, log_dir / "stdout.log", wheels[0], project, version,
                               scratch, cap)  # fmt: skip
        wanted = [
            name for name in dict.fromkeys(_NOT_FOUND.findall("\n".join(lines)))
            if not any(canonicalize_name(Requirement(r).name) == canonicalize_name(name)
                       for r in requires)
        ]  # fmt: skip
        if wanted and round_ < MAX_ROUNDS and not report.timed_out:
            progress(f"the build asked for {', '.join(wanted)}")
            requires = [*requires, *wanted]
            continue
        if len(wheels) > 1 or any(e.startswith("wheels ") for e in events):
            built.failure = "the build did not make exactly one wheel"
        else:
            built.failure = _failure_reason(lines, report, limits)
        return built
    return built  # pragma: no cover (the loop returns)


def _take_wheel(
    built: Built, output: Path, name: str, project: str, version: str, scratch: Path, cap: int
) -> Built:
    """Check the wheel the build wrote to ``output`` and keep it as ``scratch/wheel/name``."""
    try:
        wheel_name, wheel_version, _build, _tags = parse_wheel_filename(name)
    except InvalidWheelFilename as exc:
        built.failure = f"the build made {name[:200]!r}, not a wheel: {exc}"
        return built
    if canonicalize_name(wheel_name) != canonicalize_name(project) or (
        _version(str(wheel_version)) != _version(version)
    ):
        built.failure = f"the build made {name}, not a wheel of {project} {version}"
        return built
    if "/" in name or name.startswith("."):
        built.failure = f"the build made {name[:200]!r}, not a wheel file name"
        return built
    target = scratch / "wheel"
    target.mkdir(mode=0o755)
    wheel = target / name
    shutil.move(output, wheel)
    wheel.chmod(0o644)
    _declared, refused = check_wheel(wheel, cap)
    if refused is not None:
        built.failure = f"refused to unpack the built wheel: {refused}"
        return built
    built.wheel = wheel
    return built


def probe_sdist(
    project: str,
    version: str,
    *,
    interpreter: Interpreter,
    sandbox: Sandbox,
    uv_cache_dir: Path,
    index_url: str | None,
    sdist: Path | None = None,
    limits: Limits | None = None,
    build_limits: Limits = BUILD_LIMITS,
    progress: Progress = lambda message: None,
) -> ProbeResult:
    """The verdict on ``project`` ``version``, a release with only an sdist, on
    ``interpreter``: ``pure`` (probe evidence) when the wheel built from it has no
    extension modules, the built wheel's probe when it has, ``sdist-only`` with
    the reason when the build fails.

    ``sdist``: a local file; without it the release's sdist is fetched from
    ``index_url``. Build requirements (and the built wheel's dependencies, when
    it is probed) come from ``index_url``.
    """
    started = time.monotonic()
    base = ProbeResult(
        project=str(canonicalize_name(project)), version=version,
        target=interpreter.target.name, platform=this_platform(), status=Status.SDIST_ONLY,
        interpreter=interpreter.version, sandbox=sandbox.description,
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="fttrack-sdist-") as tmp:
        scratch = Path(tmp)
        scratch.chmod(0o755)  # the sandbox's unprivileged uid reads the inputs
        if sdist is None:
            if index_url is None:
                return _finished(base, started, "no sdist given and no index to fetch it from")
            found = find_sdist(project, version, index_url)
            if found is None:
                return _finished(base, started, f"no sdist of {project} {version} on the index")
            if found.size is not None and found.size > MAX_SDIST_BYTES:
                return _finished(base, started, f"the sdist is over {MAX_SDIST_BYTES >> 20} MiB")
            progress(f"downloading {found.filename}")
            sdist = scratch / Path(found.filename).name
            auth = index_credentials(index_url, found.url)
            if download(found.url, sdist, sha256=found.sha256, cap=MAX_SDIST_BYTES, auth=auth) < 0:
                return _finished(base, started, f"the sdist is over {MAX_SDIST_BYTES >> 20} MiB")
        step = time.monotonic()
        build_dir = scratch / "build"
        build_dir.mkdir(mode=0o755)
        built = build_wheel(
            sdist, project=project, version=version, interpreter=interpreter,
            sandbox=sandbox, uv_cache_dir=uv_cache_dir, index_url=index_url,
            scratch=build_dir, limits=build_limits, progress=progress,
        )  # fmt: skip
        build_seconds = round(time.monotonic() - step, 3)
        if built.wheel is None:
            return _finished(
                base, started, f"the sdist did not build: {built.failure}",
                log=built.log_tail, build_seconds=build_seconds,
            )  # fmt: skip
        modules = extension_files(built.wheel, interpreter.extension_suffixes)
        if not modules:
            return _finished(
                msgspec.structs.replace(
                    base, status=Status.PURE, installed=(f"{built.wheel.name}",)
                ),
                started, PURE_DETAIL, build_seconds=build_seconds,
            )  # fmt: skip
        progress(f"{built.wheel.name} has extension modules: probing it")
        result = run_probe(
            ProbeRequest(wheel=built.wheel, index_url=index_url, offline=index_url is None),
            interpreter=interpreter, sandbox=sandbox, uv_cache_dir=uv_cache_dir,
            limits=limits, progress=progress,
        )  # fmt: skip
    detail = f"built from sdist ({built.wheel.name}); {result.detail}".rstrip("; ")
    timings = {"build": build_seconds, **result.timings}
    timings["total"] = round(time.monotonic() - started, 3)
    return msgspec.structs.replace(result, version=version, detail=detail[:800], timings=timings)


def _finished(
    result: ProbeResult, started: float, detail: str, *, log: str = "",
    build_seconds: float | None = None,
) -> ProbeResult:  # fmt: skip
    timings = {} if build_seconds is None else {"build": build_seconds}
    timings["total"] = round(time.monotonic() - started, 3)
    return msgspec.structs.replace(
        result, detail=detail[:800], stderr_tail=log[-2000:], timings=timings, probed_at=_now()
    )
