"""Run one probe: venv of a real free-threaded interpreter, install, import in a sandbox.

Order of work, and where untrusted code can run:

1. ``uv venv`` of the interpreter (trusted code only);
2. ``uv pip install --only-binary :all:`` of the wheel or requirement: wheels
   only, so nothing of the package runs while installing;
3. read the venv's ``RECORD`` files to list the package's own extension
   modules and top-level packages (files only);
4. import them, in order, inside the sandbox with ``python -I -v -X
   faulthandler`` and ``PYTHON_GIL`` unset. One process imports everything; when
   it crashes or hangs on a module, that module is pinned with the outcome and
   a fresh process carries on after it, so every module is judged.

The venv's interpreter is never started outside the sandbox: a wheel's
``.pth`` file would run at every start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec.structs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from tracker.config import uv_index_environment
from tracker.errors import InputError, InterpreterError, ProbeError, TransientProbeError
from tracker.excerpt import requirement_problem
from tracker.models import Culprit, ModuleOutcome, ModuleResult, ProbeResult, SandboxReport, Status
from tracker.names import is_valid_name
from tracker.probe import cancel, gilstate
from tracker.probe.archives import bounded_lines, check_wheel, default_max_unpacked_bytes
from tracker.probe.owner import owned_name
from tracker.probe.sandbox import Limits, Sandbox
from tracker.probe.staging import stage_wheels
from tracker.probe.undeclared import distribution_for, missing_top_level
from tracker.probe.venv_distributions import Distribution, find_site_packages, read_distributions
from tracker.probe.verdict import (
    GilClaim,
    GilReport,
    cross_check,
    gil_lines,
    is_optional_module,
    overall_status,
    strip_verbose,
)
from tracker.pythons.discover import Interpreter, clean_environment, uv_binary
from tracker.wheels import this_platform

__all__ = ["ProbeRequest", "install_failure_is_verdict", "run_probe", "shared_wheel_cache"]

_CHILD = Path(__file__).with_name("child.py")
_INSTALL_TIMEOUT = 900
#: Rounds of "install an undeclared dependency, import again" per probe.
_MAX_UNDECLARED_ROUNDS = 3
#: The child's exit status when it cannot write its events (child.CHANNEL_LOST).
_CHANNEL_LOST = 86
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ProbeRequest:
    """What to probe: a requirement from the index, or a local wheel."""

    requirement: str | None = None
    wheel: Path | None = None
    find_links: tuple[Path, ...] = ()
    index_url: str | None = None
    offline: bool = False
    #: Cap on the uncompressed size of all wheels of the probe (``FTTRACK_MAX_UNPACKED_MB``).
    max_unpacked_bytes: int = field(default_factory=default_max_unpacked_bytes)

    @property
    def from_index(self) -> bool:
        """Whether the wheels come from the index (staged and checked before install)."""
        return (
            self.wheel is None and not self.offline and self.index_url is not None
            and not self.find_links
        )  # fmt: skip

    @property
    def project(self) -> str:
        """The normalised name of the probed project."""
        if self.wheel is not None:
            try:
                return str(parse_wheel_filename(self.wheel.name)[0])
            except InvalidWheelFilename as exc:
                raise InputError(str(self.wheel), f"not a wheel: {exc}") from None
        assert self.requirement is not None
        try:
            return str(canonicalize_name(Requirement(self.requirement).name))
        except InvalidRequirement as exc:
            raise ProbeError(requirement_problem(self.requirement, exc)) from None


@dataclass
class _ImportRun:
    """What the sandboxed import processes reported, accumulated over restarts."""

    outcomes: dict[str, ModuleResult] = field(default_factory=dict)
    claims: list[GilClaim] = field(default_factory=list)
    gil_reports: list[GilReport] = field(default_factory=list)
    reports: list[SandboxReport] = field(default_factory=list)
    in_flight: str | None = None
    #: Module -> top-level name its ModuleNotFoundError could not find.
    missing: dict[str, str] = field(default_factory=dict)
    #: Notes on what the package did to the probe's channels (forged or flooded events).
    channel_notes: list[str] = field(default_factory=list)


def shared_wheel_cache(uv_cache_dir: Path) -> Path:
    """Where probes keep the wheels they downloaded, checked, for the next probe to reuse."""
    return uv_cache_dir.parent / "fttrack-wheels"


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _uv() -> str:
    found = uv_binary()
    if found is None:
        raise TransientProbeError("uv is not installed: pip install uv")
    return found


#: Installer messages that are a verdict on the package: no wheel (of it or of a
#: dependency) for this target. Any other install failure is transient.
_VERDICT_MARKERS = (
    "No solution found when resolving dependencies",
    "dependency is incompatible with the current platform",
)


def install_failure_is_verdict(stderr: str) -> bool:
    """Whether an installer failure says something about the package (no wheel for this
    target, here or in a dependency) rather than about the moment (index errors, timeouts).

    >>> install_failure_is_verdict("error: No solution found when resolving dependencies")
    True
    >>> install_failure_is_verdict("error: Failed to fetch: ... 503 Service Unavailable")
    False
    """
    return any(marker in stderr for marker in _VERDICT_MARKERS)


def _uv_env(cache_dir: Path) -> dict[str, str]:
    env = clean_environment()
    env.update(
        {"UV_CACHE_DIR": str(cache_dir), "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1"}
    )
    for name in (
        "UV_INDEX_URL",
        "UV_DEFAULT_INDEX",
        "UV_EXTRA_INDEX_URL",
        "UV_INDEX",
        "VIRTUAL_ENV",
    ):
        env.pop(name, None)
    return env


def _install_argv(request: ProbeRequest, venv: Path) -> list[str]:
    argv = [
        _uv(), "pip", "install", "--python", str(venv / "bin" / "python"),
        "--only-binary", ":all:", "--no-config", "--link-mode", "copy",
    ]  # fmt: skip
    if request.offline or request.index_url is None:
        argv.append("--no-index")  # else the index is in uv's environment (_install_env)
    for directory in request.find_links:
        argv += ["--find-links", str(directory)]
    argv.append(str(request.wheel) if request.wheel is not None else str(request.requirement))
    return argv


def _install_env(request: ProbeRequest, env: dict[str, str]) -> dict[str, str]:
    """uv's environment for :func:`_install_argv`: the index, when there is one, goes
    here and never on the command line (its URL may hold credentials, and every
    local user can read a command line)."""
    if request.offline or request.index_url is None:
        return env
    return uv_index_environment(env, request.index_url)


def _local_wheels(request: ProbeRequest) -> list[Path]:
    """The local wheels uv may unpack for ``request``: the wheel and those in find-links."""
    found = [request.wheel] if request.wheel is not None else []
    for directory in request.find_links:
        if directory.is_dir():
            found += sorted(p for p in directory.iterdir() if p.suffix == ".whl" and p.is_file())
    return list(dict.fromkeys(found))


def _install(
    request: ProbeRequest,
    *,
    venv: Path,
    python: Path,
    env: dict[str, str],
    scratch: Path,
    wheel_cache: Path | None = None,
) -> tuple[str, str] | None:
    """Install ``request`` into ``venv``, nothing unpacked before it is checked.

    Returns None when installed, else the verdict's detail and the installer's
    stderr (no wheel for this target, a wheel over the size cap). Any other
    failure raises :class:`TransientProbeError`.
    """
    cap = request.max_unpacked_bytes
    if request.from_index:
        assert request.index_url is not None and request.requirement is not None
        staged = stage_wheels(
            [request.requirement], uv=_uv(), python=python, index_url=request.index_url,
            env=env, scratch=scratch, max_unpacked_bytes=cap, cache_dir=wheel_cache,
        )  # fmt: skip
        if staged.resolver_error is not None:
            if not install_failure_is_verdict(staged.resolver_error):
                raise TransientProbeError(
                    f"install failed: {_install_error(staged.resolver_error)}"
                )
            return _install_error(staged.resolver_error), staged.resolver_error
        if staged.refused is not None:
            return f"refused to unpack {staged.refused}", ""
        argv = _staged_install_argv(venv, staged.wheels)
    else:
        for wheel in _local_wheels(request):
            _declared, refused = check_wheel(wheel, cap)
            if refused is not None:
                return f"refused to unpack {refused}", ""
        argv = _install_argv(request, venv)
        env = _install_env(request, env)
    try:
        installed = cancel.run(
            argv, env=env, timeout=_INSTALL_TIMEOUT, cwd=str(scratch), preexec_fn=_fsize_limit(cap)
        )
    except subprocess.TimeoutExpired:
        raise TransientProbeError(f"install took over {_INSTALL_TIMEOUT}s") from None
    if installed.returncode == 0:
        return None
    if not install_failure_is_verdict(installed.stderr):
        raise TransientProbeError(f"install failed: {_install_error(installed.stderr)}")
    return _install_error(installed.stderr), installed.stderr


def _fsize_limit(limit: int) -> Callable[[], None]:
    """A preexec function: no single file the installer writes may exceed ``limit``."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def _staged_install_argv(venv: Path, wheels: Sequence[Path]) -> list[str]:
    # --no-cache: the staged wheels are kept (compressed) in the shared wheel cache
    # already; uv's cache would keep each one unpacked too, for good (torch and its
    # CUDA libraries: tens of GB).
    return [
        _uv(), "pip", "install", "--python", str(venv / "bin" / "python"),
        "--only-binary", ":all:", "--no-config", "--link-mode", "copy", "--no-cache",
        "--no-index", "--no-deps", *map(str, wheels),
    ]  # fmt: skip


def _module_order(dist: Distribution) -> list[str]:
    """Top-level packages first (the normal import path), then extension modules by depth."""
    ordered = dict.fromkeys(dist.top_level)
    for name in sorted(dist.extension_modules, key=lambda n: (n.count("."), n)):
        ordered.setdefault(name, None)
    return list(ordered)


def _owner_map(dists: Sequence[Distribution]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for dist in dists:
        for module in dist.modules:
            owners.setdefault(module, dist.name)
    return owners


def _signal_name(number: int | None) -> str:
    if number is None:
        return "unknown signal"
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _crash_detail(report: SandboxReport) -> str:
    if report.oom_killed:
        return "killed: memory limit"
    if report.cpu_limit_hit:
        return "killed: CPU time limit"
    if report.signal is not None:
        return f"killed by {_signal_name(report.signal)}"
    return f"interpreter exited with code {report.returncode} during import"


class _GilReader:
    """The host's readings of one sandboxed interpreter's GIL flag (see gilstate)."""

    def __init__(self, location: gilstate.GilLocation, *, budget: int) -> None:
        self.location = location
        self.budget = budget
        self.root: int | None = None
        self.pid: int | None = None
        self.before: bool | None = None
        self.flooded = False
        self.forged: set[str] = set()
        self._events = 0

    def started(self, root: int) -> None:
        """The sandbox's first process has started (its host pid)."""
        self.root = root

    def spend(self) -> bool:
        """Count one event; False once more arrived than the child ever sends."""
        self._events += 1
        self.flooded = self.flooded or self._events > self.budget
        return not self.flooded

    def release(self) -> None:
        """Let the interpreter go on without a reading."""
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGCONT)

    def read(self) -> tuple[bool | None, str]:
        """Stop the interpreter, read its GIL flag, let it go on: (enabled, "") or
        (None, why it could not be read)."""
        if self.pid is None and self.root is not None:
            self.pid = gilstate.find_interpreter_process(self.root, self.location)
        if self.pid is None:
            return None, "the host found no interpreter process in the sandbox"
        try:
            return gilstate.read_gil(self.pid, self.location) != 0, ""
        except gilstate.GilReadError as exc:
            return None, str(exc)


def _run_imports(
    modules: list[str],
    *,
    interpreter: Interpreter,
    venv: Path,
    sandbox: Sandbox,
    limits: Limits,
    scratch: Path,
    progress: Progress,
    location: gilstate.GilLocation,
    label: str = "",
) -> _ImportRun:
    """Import ``modules`` in as few sandboxed processes as crashes and hangs allow.

    Before and after each import the host stops the interpreter process and reads
    its GIL flag from outside (:class:`_GilReader`); that reading decides.
    """
    run = _ImportRun()
    child = venv / "fttrack_probe_child.py"
    shutil.copyfile(_CHILD, child)
    remaining = list(modules)
    attempt = 0
    while remaining:
        attempt += 1
        log_dir = scratch / f"imports{label}-{attempt}"
        log_dir.mkdir()
        run.in_flight = None
        reader = _GilReader(location, budget=4 * len(remaining) + 8)
        argv = [
            str(venv / "bin" / "python"), "-I", "-v", "-X", "faulthandler",
            str(child), "{events_fd}", *remaining,
        ]  # fmt: skip
        report = sandbox.run(
            argv,
            ro_paths=[interpreter.prefix, venv],
            limits=limits,
            log_dir=log_dir,
            on_line=_ChildEvents(run, attempt, reader, progress),
            on_start=reader.started,
        )
        if reader.flooded:
            run.channel_notes.append(
                f"the probe's report channel was flooded (over {reader.budget} events)"
            )
        for name in reader.forged:
            run.outcomes[name] = ModuleResult(
                name, ModuleOutcome.IMPORT_FAILED, "the probe's report channel was forged"
            )
        stderr_lines = bounded_lines(log_dir / "stderr.log")
        run.claims += [GilClaim(attempt, t, m) for t, m in gil_lines(stderr_lines)]
        run.reports.append(report)
        _judge_the_end(run, report, remaining, limits)
        remaining = [m for m in remaining if m not in run.outcomes]
    return run


class _ChildEvents:
    """The report channel of one import process: the child's events (JSON lines), with
    the GIL flag read from outside around each import, recorded in ``run``.

    Only events carrying the nonce of the child's first ``hello`` count; more
    events than the child sends (the reader's budget) are a flood, a second
    ``done`` or one for a module not in flight a forgery.
    """

    def __init__(
        self, run: _ImportRun, process: int, reader: _GilReader, progress: Progress
    ) -> None:
        self.run, self.process, self.reader, self.progress = run, process, reader, progress
        self.nonce: str | None = None
        self.seen: set[str] = set()

    def __call__(self, line: str) -> None:
        """Take one line of the channel."""
        try:
            event = json.loads(line)
        except ValueError:
            return
        if not isinstance(event, dict):
            return
        reader = self.reader
        if event.get("event") == "hello" and self.nonce is None and isinstance(
            event.get("nonce"), str
        ):  # fmt: skip
            self.nonce = event["nonce"]
            reader.read()
            return
        if self.nonce is None or event.get("nonce") != self.nonce:
            return  # not from the child: ignored
        if not reader.spend():
            reader.release()
            return  # more events than the child sends: flooded, see the notes
        name = event.get("module")
        gil, unread = reader.read()
        if event.get("event") == "start" and isinstance(name, str):
            self.run.in_flight = name
            reader.before = gil
            self.progress(f"importing {name}")
        elif event.get("event") in ("done", "error") and isinstance(name, str):
            self._finished(name, event, gil, unread)

    def _finished(self, name: str, event: dict[str, Any], gil: bool | None, unread: str) -> None:
        """Record the end of the import of ``name`` (``done`` or ``error``)."""
        run, reader = self.run, self.reader
        if name in self.seen or name != run.in_flight:
            run.channel_notes.append(
                f"the probe's report channel carried a forged event for {name}"
            )
            reader.forged.add(name)
            return
        self.seen.add(name)
        run.in_flight = None
        failed = event["event"] == "error"
        detail = f"{event.get('type')}: {event.get('message')}" if failed else ""
        reported = event.get("gil")
        lost = event.get("missing") if failed else None
        # an ImportError may wrap one ("aiohttp dependency is not installed:
        # No module named 'aiohttp'"): its message names the module too
        if failed and event.get("type") in ("ModuleNotFoundError", "ImportError"):
            top = lost.split(".")[0] if isinstance(lost, str) and lost else None
            top = top or missing_top_level(str(event.get("message", "")))
            if top:
                run.missing[name] = top
        run.gil_reports.append(
            GilReport(
                self.process, name, gil, not failed, before=reader.before,
                reported=reported if isinstance(reported, bool) else None, unread=unread,
            )
        )  # fmt: skip
        run.outcomes[name] = ModuleResult(
            name=name,
            outcome=ModuleOutcome.IMPORT_FAILED if failed else ModuleOutcome.OK,
            detail=detail,
            seconds=float(event.get("seconds", 0.0)),
        )


def _judge_the_end(
    run: _ImportRun, report: SandboxReport, remaining: list[str], limits: Limits
) -> None:
    """After an import process ended: the module in flight (if any) failed, crashed or
    timed out; a process that died between imports crashed on the next one."""
    stuck = run.in_flight
    if stuck is not None and report.returncode == _CHANNEL_LOST:
        run.outcomes[stuck] = ModuleResult(
            name=stuck, outcome=ModuleOutcome.IMPORT_FAILED,
            detail="the package closed the probe's report channel during this import",
        )  # fmt: skip
    elif stuck is not None:
        outcome = ModuleOutcome.TIMED_OUT if report.timed_out else ModuleOutcome.CRASHED
        detail = (
            f"no progress for {limits.idle_seconds:.0f}s (wall limit {limits.wall_seconds:.0f}s)"
            if report.timed_out
            else _crash_detail(report)
        )
        run.outcomes[stuck] = ModuleResult(name=stuck, outcome=outcome, detail=detail)
    done = [m for m in remaining if m in run.outcomes]
    if stuck is None and len(done) < len(remaining):
        # The process died before it started the next import (e.g. at start-up).
        first = remaining[len(done)]
        run.outcomes[first] = ModuleResult(
            name=first, outcome=ModuleOutcome.CRASHED, detail=_crash_detail(report)
        )


def _module_results(
    modules: list[str],
    run: _ImportRun,
    owners: dict[str, str],
    own_dist: Distribution,
    optional_missing: dict[str, str] | None = None,
) -> tuple[list[ModuleResult], list[Culprit], list[str]]:
    """Per-module outcomes (GIL verdicts folded in), the culprits that count, and notes
    where stderr and the interpreter's own report disagree."""
    own = own_dist.name
    checked = cross_check(run.gil_reports, run.claims, owners)
    found = [Culprit(module, owners.get(module, "")) for _, module in checked.confirmed]
    unread = {r.module: r.unread for r in run.gil_reports if r.gil is None}
    culprits = [c for c in dict.fromkeys(found) if not is_optional_module(c.module)]
    culprit_names = {c.module for c in found}
    results: list[ModuleResult] = []
    for name in modules:
        result = run.outcomes.get(name, ModuleResult(name, ModuleOutcome.NOT_REACHED))
        extension = name in own_dist.extension_modules
        optional = is_optional_module(name, extension=extension)
        outcome, detail = result.outcome, result.detail
        if optional_missing and name in optional_missing:
            optional = True
            detail = f"{detail} [needs {optional_missing[name]}, an optional dependency]"
        if outcome is ModuleOutcome.OK and name in unread:
            outcome = ModuleOutcome.IMPORT_FAILED
            detail = f"the host could not read the GIL state after this import: {unread[name]}"
        elif outcome is ModuleOutcome.OK and name in culprit_names:
            outcome, detail = ModuleOutcome.GIL_REENABLED, "does not declare Py_mod_gil"
        elif outcome is ModuleOutcome.OK and name in checked.silent:
            outcome, detail = ModuleOutcome.GIL_REENABLED, checked.silent[name]
        elif outcome is ModuleOutcome.OK:
            foreign = [
                m
                for trigger, m in checked.confirmed
                if trigger == name and owners.get(m, "") != own and not is_optional_module(m)
            ]
            if foreign:
                via = ", ".join(f"{m} ({owners.get(m, '?')})" for m in foreign)
                outcome, detail = ModuleOutcome.GIL_REENABLED, f"imports {via}"
        if optional and outcome is not ModuleOutcome.OK:
            detail = f"{detail} [optional module: does not decide the status]".strip()
        results.append(
            ModuleResult(
                name, outcome, detail, owners.get(name, own), extension, result.seconds, optional
            )
        )
    return results, culprits, run.channel_notes[:5] + checked.notes


def run_probe(
    request: ProbeRequest,
    *,
    interpreter: Interpreter,
    sandbox: Sandbox,
    uv_cache_dir: Path,
    limits: Limits | None = None,
    progress: Progress = lambda message: None,
) -> ProbeResult:
    """Probe one package on ``interpreter``; every failure mode of the package is a verdict.

    A failure that says nothing about the package (the index answering 429/5xx or
    timing out, uv missing, ``uv venv`` failing) raises :class:`TransientProbeError`
    and leaves no verdict: retry it later.
    """
    limits = limits or Limits()
    project = request.project
    timings: dict[str, float] = {}
    started = time.monotonic()
    base = ProbeResult(
        project=project, version=_requested_version(request) or "",
        target=interpreter.target.name, platform=this_platform(), status=Status.UNKNOWN,
        interpreter=interpreter.version, sandbox=sandbox.description,
    )  # fmt: skip
    # named after this process: a later start removes it if this one dies (leftovers.py)
    with tempfile.TemporaryDirectory(prefix=owned_name("probe")) as tmp:
        scratch = Path(tmp)
        scratch.chmod(0o755)  # the sandbox's unprivileged uid must read the venv
        venv = scratch / "venv"
        env = _uv_env(uv_cache_dir)
        progress(f"creating a {interpreter.target.name} venv")
        step = time.monotonic()
        _create_venv(interpreter, venv, env)
        timings["venv"] = round(time.monotonic() - step, 3)

        progress("installing wheels (no builds)")
        step = time.monotonic()
        wheel_cache = shared_wheel_cache(uv_cache_dir)
        failure = _install(
            request, venv=venv, python=interpreter.path, env=env, scratch=scratch,
            wheel_cache=wheel_cache,
        )  # fmt: skip
        timings["install"] = round(time.monotonic() - step, 3)
        if failure is not None:
            detail, stderr = failure
            timings["total"] = round(time.monotonic() - started, 3)
            return msgspec.structs.replace(
                base, status=Status.INSTALL_FAILED, detail=detail, stderr_tail=stderr[-2000:],
                timings=timings, probed_at=_now(),
            )  # fmt: skip

        step = time.monotonic()
        dists, own, location = _inspect(project, interpreter, venv)
        timings["inspect"] = round(time.monotonic() - step, 3)
        imports = _Imports(
            request, interpreter, sandbox, limits, progress, venv, env, scratch, wheel_cache,
            location, _module_order(own),
        )  # fmt: skip
        found = imports.run(own, dists, timings)
        timings["total"] = round(time.monotonic() - started, 3)
        timings["processes"] = found.processes
        return _probe_result(base, own, imports.modules, found, timings)


def _inspect(
    project: str, interpreter: Interpreter, venv: Path
) -> tuple[list[Distribution], Distribution, gilstate.GilLocation]:
    """The distributions installed in ``venv``, ``project``'s own among them, and where
    the host reads the interpreter's GIL flag."""
    dists = read_distributions(find_site_packages(venv), interpreter.extension_suffixes)
    own = next((d for d in dists if d.key == project), None)
    if own is None:
        raise ProbeError(f"{project} is not among the installed distributions")
    try:
        location = gilstate.locate(interpreter.path)
    except InterpreterError as exc:
        raise ProbeError(f"the host cannot read this interpreter's GIL flag: {exc}") from None
    return dists, own, location


def _create_venv(interpreter: Interpreter, venv: Path, env: dict[str, str]) -> None:
    """``uv venv`` of ``interpreter`` at ``venv``; a failure is transient (no verdict)."""
    created = subprocess.run(
        [_uv(), "venv", "--python", str(interpreter.path), "--no-project", "--no-config",
         "--quiet", str(venv)],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    if created.returncode != 0:
        raise TransientProbeError(f"uv venv failed: {created.stderr.strip()[-300:]}")


@dataclass
class _Found:
    """What the imports found: the last run, the distributions installed then, the
    notes on undeclared dependencies, and how many processes imported in all."""

    run: _ImportRun
    dists: list[Distribution]
    undeclared_notes: list[str]
    processes: int


@dataclass(frozen=True)
class _Imports:
    """The import phase of one probe: what it imports, where and how."""

    request: ProbeRequest
    interpreter: Interpreter
    sandbox: Sandbox
    limits: Limits
    progress: Progress
    venv: Path
    env: dict[str, str]
    scratch: Path
    wheel_cache: Path | None
    location: gilstate.GilLocation
    modules: list[str]

    def imports(self, label: str = "") -> _ImportRun:
        """Import every module (see :func:`_run_imports`)."""
        return _run_imports(
            self.modules, interpreter=self.interpreter, venv=self.venv, sandbox=self.sandbox,
            limits=self.limits, scratch=self.scratch, progress=self.progress, label=label,
            location=self.location,
        )  # fmt: skip

    def run(
        self, own: Distribution, dists: list[Distribution], timings: dict[str, float]
    ) -> _Found:
        """Import the modules; when the package's own modules import a distribution it
        does not declare, install that and import again (a few rounds at most)."""
        step = time.monotonic()
        run = self.imports()
        timings["imports"] = round(time.monotonic() - step, 3)
        step = time.monotonic()
        found = _Found(run, dists, [], len(run.reports))
        tried: set[str] = set()
        for round_ in range(1, _MAX_UNDECLARED_ROUNDS + 1):
            required = sorted(
                {top for module, top in _unprovided(found.run, found.dists).items()
                 if module in own.top_level and top not in tried
                 and not _declared_under_extra(top, own)}
            )  # fmt: skip
            if not required:
                break
            added = False
            for top in required:
                tried.add(top)
                self.progress(f"{own.name} imports {top}, which it does not declare")
                note, ok = _install_undeclared(
                    top, own, found.dists, request=self.request, venv=self.venv,
                    python=self.interpreter.path, env=self.env,
                    scratch=self.scratch / f"undeclared-{round_}-{top}",
                    wheel_cache=self.wheel_cache,
                )  # fmt: skip
                found.undeclared_notes.append(note)
                added = added or ok
            if not added:
                break
            found.dists = read_distributions(
                find_site_packages(self.venv), self.interpreter.extension_suffixes
            )
            found.run = self.imports(label=f"-retry{round_}")
            found.processes += len(found.run.reports)
        if tried:
            timings["undeclared"] = round(time.monotonic() - step, 3)
        return found


def _probe_result(
    base: ProbeResult, own: Distribution, modules: list[str], found: _Found,
    timings: dict[str, float],
) -> ProbeResult:  # fmt: skip
    """The verdict of a probe whose wheels installed, from what its imports found."""
    run, dists = found.run, found.dists
    optional_missing = _optional_missing(run, dists, own)
    results, culprits, notes = _module_results(
        modules, run, _owner_map(dists), own, optional_missing
    )
    notes = (
        found.undeclared_notes
        + [
            f"{module} needs {top}, which is not installed "
            "(an optional dependency: does not decide the status)"
            for module, top in optional_missing.items()
        ]
        + notes
    )
    for result in results:
        timings[f"import:{result.name}"] = result.seconds
    tails = [_readable_tail(r.stderr_tail) for r in run.reports]
    return msgspec.structs.replace(
        base,
        version=own.version,
        status=overall_status(results, culprits),
        detail="; ".join(notes)[:800],
        culprits=tuple(culprits),
        modules=tuple(results),
        timings=timings,
        stderr_tail="\n".join(t for t in tails if t.strip())[-2000:],
        probed_at=_now(),
        installed=tuple(f"{d.name}=={d.version}" for d in dists),
    )


def _unprovided(run: _ImportRun, dists: Sequence[Distribution]) -> dict[str, str]:
    """Modules that failed for a top-level name no installed distribution provides."""
    provided = {m.split(".")[0] for d in dists for m in d.modules} | {
        t for d in dists for t in d.top_level
    }
    return {
        module: top
        for module, top in run.missing.items()
        if top not in provided
        and run.outcomes.get(module, ModuleResult(module, ModuleOutcome.OK)).outcome
        is ModuleOutcome.IMPORT_FAILED
    }


def _declared_under_extra(top: str, own: Distribution) -> bool:
    """Whether import name ``top`` belongs to a requirement ``own`` declares only under
    an extra (black's ``aiohttp; extra == "d"``, which its ``blackd`` module needs)."""
    distribution = distribution_for(top)
    return distribution is not None and str(canonicalize_name(distribution)) in own.extra_only


def _optional_missing(
    run: _ImportRun, dists: Sequence[Distribution], own: Distribution
) -> dict[str, str]:
    """Modules that fail only for a missing optional dependency, which do not decide the
    status: one the package declares only under an extra (while some top-level module
    of the package imports), or any dependency of a module below the top level while
    every other top-level module imports."""
    unprovided = _unprovided(run, dists)

    def imports(module: str) -> bool:
        result = run.outcomes.get(module, ModuleResult(module, ModuleOutcome.NOT_REACHED))
        return result.outcome is ModuleOutcome.OK

    for_extras = {m: top for m, top in unprovided.items() if _declared_under_extra(top, own)}
    rest = [t for t in own.top_level if t not in for_extras]
    optional = for_extras if any(imports(t) for t in rest) else {}
    if rest and all(imports(t) for t in rest):
        optional |= {m: top for m, top in unprovided.items() if m not in own.top_level}
    return optional


def _install_undeclared(
    top: str,
    own: Distribution,
    dists: Sequence[Distribution],
    *,
    request: ProbeRequest,
    venv: Path,
    python: Path,
    env: dict[str, str],
    scratch: Path,
    wheel_cache: Path | None = None,
) -> tuple[str, bool]:
    """Install the distribution that provides import name ``top`` (wheels only, checked
    like the main install, outside the sandbox). Returns the verdict's note and whether
    something was installed; a transient index failure raises."""
    undeclared = f"imports {top}, which {own.name} does not declare"
    distribution = distribution_for(top)
    if distribution is None:
        return f"{undeclared}; no distribution to look up for it", False
    if request.index_url is None or request.offline:
        return f"{undeclared}; no index to look up {distribution} on", False
    scratch.mkdir(parents=True)
    # what is installed stays as it is: pinned (a distribution whose metadata names
    # no valid project or version cannot be a requirement, and is left out)
    pins = [f"{d.name}=={d.version}" for d in dists if is_valid_name(d.name) and d.version]
    staged = stage_wheels(
        [*pins, distribution], uv=_uv(), python=python, index_url=request.index_url, env=env,
        scratch=scratch, max_unpacked_bytes=request.max_unpacked_bytes,
        skip=frozenset(d.key for d in dists), cache_dir=wheel_cache,
    )  # fmt: skip
    if staged.resolver_error is not None:
        if not install_failure_is_verdict(staged.resolver_error):
            raise TransientProbeError(f"install failed: {_install_error(staged.resolver_error)}")
        if "not found in the package registry" in staged.resolver_error:
            return f"{undeclared}; no project {distribution} on the index", False
        return f"{undeclared}; {distribution} cannot be installed here", False
    if staged.refused is not None:
        return f"{undeclared}; refused to unpack {staged.refused}", False
    if not staged.wheels:
        return f"{undeclared}; nothing to install for it", False
    try:
        installed = subprocess.run(
            _staged_install_argv(venv, staged.wheels), capture_output=True, text=True, env=env,
            check=False, timeout=_INSTALL_TIMEOUT, cwd=scratch,
            preexec_fn=_fsize_limit(request.max_unpacked_bytes),
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise TransientProbeError(f"install took over {_INSTALL_TIMEOUT}s") from None
    if installed.returncode != 0:
        if not install_failure_is_verdict(installed.stderr):
            raise TransientProbeError(f"install failed: {_install_error(installed.stderr)}")
        return f"{undeclared}; {distribution} cannot be installed here", False
    names = ", ".join(w.name.split("-")[0] for w in staged.wheels)
    via = "" if canonicalize_name(distribution) == canonicalize_name(top) else f" ({distribution})"
    return f"{undeclared}{via}: installed {names} and imported again", True


def _readable_tail(stderr: str, limit: int = 2000) -> str:
    """What a person wants from a process's stderr: a fatal error report from its
    start (faulthandler), else the last lines, without ``-v`` chatter."""
    text = strip_verbose(stderr)
    fatal = text.find("Fatal Python error")
    return text[fatal : fatal + limit] if fatal >= 0 else text[-limit:]


def _requested_version(request: ProbeRequest) -> str | None:
    if request.wheel is not None:
        return str(parse_wheel_filename(request.wheel.name)[1])
    requirement = Requirement(str(request.requirement))
    pins = [s.version for s in requirement.specifier if s.operator in ("==", "===")]
    return pins[0] if pins else None


def _install_error(stderr: str) -> str:
    r"""The informative lines of an installer failure, joined into one line.

    >>> _install_error("error: Failed\n  cause: wheel is for cp314\nhint: use cp314t")
    'Failed: wheel is for cp314 (hint: use cp314t)'
    """
    error = cause = hint = ""
    for raw in stderr.splitlines():
        line = raw.strip()
        if line.startswith("error:") and not error:
            error = line.removeprefix("error:").strip()
        elif line.startswith(("cause:", "Caused by:")) and not cause:
            cause = line.split(":", 1)[1].strip()
        elif line.startswith("hint:") and not hint:
            hint = line.removeprefix("hint:").strip()
        elif line.startswith("╰─▶") and not cause:
            cause = line.removeprefix("╰─▶").strip()
    if not error:
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        error = lines[-1] if lines else "install failed"
    text = error + (f": {cause}" if cause else "") + (f" (hint: {hint})" if hint else "")
    return text[:800]
