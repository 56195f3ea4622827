"""Run a release's own tests in many threads, inside the probe's sandbox.

Order of work, and where untrusted code can run (docs/stress.md):

1. **On the host, no package code runs**: ``uv venv`` of the real
   free-threaded interpreter; the release installed wheels only, checked
   before anything unpacks (as a probe installs it,
   :mod:`tracker.probe.runner`); its tests found in the installed wheel, else
   unpacked from its sdist (:mod:`tracker.probe.stress_sources`); the test
   requirements (pytest, pytest-run-parallel, pytest-timeout, hypothesis, the
   release's test extras and dependency groups) staged and installed as
   wheels. What cannot be installed is named, never fatal (but pytest and
   pytest-run-parallel themselves).
2. **In the sandbox, no network**: pytest, driven by
   :mod:`tracker.probe.stress_child`, collects the tests, then runs them
   three times: (a) *alone*, one thread, ``-X gil=0``; (b) *in threads*, the
   tests that passed alone, under pytest-run-parallel (``--parallel-threads
   N --iterations K``), ``-X gil=0``; (c) *control*, the tests that failed in
   (b), in threads with ``-X gil=1``. A test that fails in (b) is run in
   threads once more, and a test that passes in (c) once more with the GIL on
   (a flaky result is retried once before it is recorded).
3. A crash or a hang ends a sandboxed process, not the run: the test that
   was running is pinned (with faulthandler's stacks) and a fresh process
   carries on after it.

Statuses, worst first: ``crashed``, ``deadlocked``, ``races``,
``unsafe-tests``, ``passed``, ``no-tests``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.parser
import hashlib
import json
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from tracker.errors import ProbeError, TransientProbeError
from tracker.models import SandboxReport
from tracker.probe.archives import bounded_lines, check_wheel, read_head
from tracker.probe.runner import (
    ProbeRequest,
    _create_venv,
    _install,
    _install_error,
    _local_wheels,
    _staged_install_argv,
    _uv,
    _uv_env,
    install_failure_is_verdict,
    shared_wheel_cache,
)
from tracker.probe.sandbox import Limits, Sandbox
from tracker.probe.staging import download, index_credentials, stage_wheels
from tracker.probe.stress_sources import (
    TEST_EXTRAS,
    dependency_groups,
    extract_tests,
    roots_of_tests,
    wheel_test_files,
)
from tracker.probe.venv_distributions import Distribution, find_site_packages, read_distributions
from tracker.pythons.discover import Interpreter
from tracker.stress.result import FailureClass, StressResult, StressStatus, TestFailure
from tracker.wheels import this_platform

if TYPE_CHECKING:
    from tracker.config import Settings
    from tracker.models import Target

__all__ = [
    "CORE_REQUIREMENTS",
    "HELPER_REQUIREMENTS",
    "StressRequest",
    "extra_test_requirements",
    "reproduce_command",
    "run_stress",
    "status_of",
    "stress",
    "subset",
]

_CHILD = Path(__file__).with_name("stress_child.py")
#: What every stress run installs beside the release: the runner and its plugins.
CORE_REQUIREMENTS = ("pytest", "pytest-run-parallel")
#: Installed too when they can be; their absence is named on the result.
HELPER_REQUIREMENTS = ("pytest-timeout", "hypothesis")
_INSTALL_TIMEOUT = 900
_MAX_SDIST_BYTES = 256 << 20
#: Fresh processes per run after crashes and hangs.
_MAX_RESTARTS = 25
_STACK_CHARS = 4000
Progress = Callable[[str], None]
#: Left to compile on first use: big, and imported only to colour a terminal.
_NOT_COMPILED = r"/site-packages/pygments/"


@dataclass(frozen=True)
class StressRequest:
    """What to stress (the release, as a probe installs it) and how hard."""

    release: ProbeRequest
    threads: int = 8
    iterations: int = 1
    #: The whole run's time limit (seconds); a bigger suite runs a subset.
    budget_seconds: float = 600.0
    #: Seconds one test may go without progress before it counts as hung.
    stall_seconds: float = 120.0
    #: At most this many tests run (whole test files, picked by ``seed``).
    max_tests: int = 3000
    seed: int = 0
    #: A local sdist to take the tests from (offline runs); else the index's.
    sdist: Path | None = None

    @property
    def stall(self) -> float:
        """The stall limit this run uses: ``stall_seconds``, at most a fifth of the
        budget, so that a hang leaves time for its retry and its control."""
        return min(self.stall_seconds, self.budget_seconds / 5)


@dataclass
class _Phase:
    """What one run (alone, threads, control) found, per test id."""

    outcomes: dict[str, str] = field(default_factory=dict)
    #: Test id -> the evidence of a crash or a hang (faulthandler's report).
    evidence: dict[str, str] = field(default_factory=dict)
    gil_at_end: list[bool] = field(default_factory=list)
    collected: list[str] = field(default_factory=list)
    collect_errors: list[str] = field(default_factory=list)
    stopped: bool = False
    processes: int = 0
    seconds: float = 0.0
    #: Why the process ended before running a test (pytest's last error line).
    startup_error: str = ""


@dataclass
class _Setup:
    """Everything the sandboxed runs share."""

    interpreter: Interpreter
    sandbox: Sandbox
    venv: Path
    work: Path
    root: Path
    args: list[str]
    ro_paths: list[Path]
    stall: float
    progress: Progress


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def status_of(failing: dict[str, str]) -> StressStatus:
    """The status of a run from its failing tests' classes (worst first); ``passed``
    when nothing failed.

    >>> status_of({"t.py::a": "unsafe", "t.py::b": "race"}).value, status_of({}).value
    ('races', 'passed')
    """
    from tracker.vocabulary import STRESS_RECORDS

    found = [_STATUS_OF_CLASS[FailureClass(c)] for c in set(failing.values())]
    return min(found, key=lambda s: STRESS_RECORDS[s].rank, default=StressStatus.PASSED)


#: The stress status a failing test's class gives (the worst one found decides).
_STATUS_OF_CLASS = {
    FailureClass.CRASH: StressStatus.CRASHED,
    FailureClass.DEADLOCK: StressStatus.DEADLOCKED,
    FailureClass.RACE: StressStatus.RACES,
    FailureClass.UNSAFE: StressStatus.UNSAFE_TESTS,
}


def subset(ids: Sequence[str], *, seed: int, max_tests: int) -> list[str]:
    """A deterministic subset of whole test files: files in an order fixed by ``seed``,
    taken while the tests stay within ``max_tests`` (at least one file).

    >>> subset(["a.py::x", "a.py::y", "b.py::z"], seed=0, max_tests=10)
    ['a.py::x', 'a.py::y', 'b.py::z']
    >>> len(subset(["a.py::x", "a.py::y", "b.py::z"], seed=0, max_tests=2)) in (1, 2)
    True
    """
    by_file: dict[str, list[str]] = {}
    for test in ids:
        by_file.setdefault(test.split("::")[0], []).append(test)
    if len(ids) <= max_tests:
        return list(ids)
    order = sorted(by_file, key=lambda f: hashlib.sha256(f"{seed}:{f}".encode()).hexdigest())
    chosen: set[str] = set()
    count = 0
    for name in order:
        if chosen and count + len(by_file[name]) > max_tests:
            continue
        chosen.add(name)
        count += len(by_file[name])
    return [t for t in ids if t.split("::")[0] in chosen]


def _python_env(interpreter: Interpreter) -> dict[str, str]:
    """Marker environment values of the target interpreter (for test extras)."""
    version = interpreter.version
    digits = "".join(c if c.isdigit() or c == "." else " " for c in version).split()[0]
    major_minor = ".".join(digits.split(".")[:2])
    return {"python_version": major_minor, "python_full_version": digits,
            "implementation_name": "cpython", "platform_python_implementation": "CPython",
            "sys_platform": "linux", "os_name": "posix", "platform_system": "Linux"}  # fmt: skip


def extra_test_requirements(
    site_packages: Path, own: Distribution, interpreter: Interpreter
) -> list[str]:
    """The requirements of ``own``'s test extras (``test``, ``tests``, ``testing``) for the
    target interpreter, read from its installed METADATA (bounded), without the extra."""
    dist_info = next(
        (p for p in site_packages.glob("*.dist-info")
         if canonicalize_name(p.name.split("-")[0]) == own.key),
        None,
    )  # fmt: skip
    if dist_info is None:
        return []
    text = read_head(dist_info / "METADATA", 1 << 20).decode("utf-8", "replace")
    metadata = email.parser.Parser().parsestr(text, headersonly=True)
    environment = _python_env(interpreter)
    found: list[str] = []
    for raw in metadata.get_all("Requires-Dist") or []:
        try:
            requirement = Requirement(raw)
        except InvalidRequirement:
            continue
        if requirement.marker is None:
            continue
        try:
            wanted = any(
                requirement.marker.evaluate(environment | {"extra": extra}) for extra in TEST_EXTRAS
            ) and not requirement.marker.evaluate(environment | {"extra": ""})
        except (InvalidMarker, ValueError, TypeError):
            continue
        if wanted and canonicalize_name(requirement.name) != own.key:
            requirement.marker = None
            found.append(str(requirement))
    return list(dict.fromkeys(found))


def _install_requirements(
    requirements: Sequence[str],
    *,
    request: ProbeRequest,
    venv: Path,
    python: Path,
    env: dict[str, str],
    scratch: Path,
    pins: Sequence[str],
    skip: frozenset[str],
) -> str:
    """Install ``requirements`` (wheels only, checked before they unpack); "" when
    installed, else the installer's reason (one line). A transient failure raises."""
    scratch.mkdir(parents=True, exist_ok=True)
    if request.index_url is not None and not request.offline:
        staged = stage_wheels(
            [*pins, *requirements], uv=_uv(), python=python, index_url=request.index_url,
            env=env, scratch=scratch, max_unpacked_bytes=request.max_unpacked_bytes, skip=skip,
            cache_dir=shared_wheel_cache(Path(env["UV_CACHE_DIR"])),
        )  # fmt: skip
        if staged.resolver_error is not None:
            if not install_failure_is_verdict(staged.resolver_error):
                raise TransientProbeError(_install_error(staged.resolver_error))
            return _install_error(staged.resolver_error)
        if staged.refused is not None:
            return f"refused to unpack {staged.refused}"
        if not staged.wheels:
            return ""
        argv = _staged_install_argv(venv, staged.wheels)
    else:
        for wheel in _local_wheels(request):
            _declared, refused = check_wheel(wheel, request.max_unpacked_bytes)
            if refused is not None:
                return f"refused to unpack {refused}"
        argv = [
            _uv(), "pip", "install", "--python", str(venv / "bin" / "python"),
            "--only-binary", ":all:", "--no-config", "--link-mode", "copy", "--no-index",
        ]  # fmt: skip
        for directory in request.find_links:
            argv += ["--find-links", str(directory)]
        argv += [*pins, *requirements]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, env=env, check=False,
            timeout=_INSTALL_TIMEOUT, cwd=scratch,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise TransientProbeError(
            f"installing test requirements took over {_INSTALL_TIMEOUT}s"
        ) from None
    if done.returncode == 0:
        return ""
    if not install_failure_is_verdict(done.stderr) and request.index_url and not request.offline:
        raise TransientProbeError(_install_error(done.stderr))
    return _install_error(done.stderr)


def _find_sdist(
    request: StressRequest, own: Distribution, scratch: Path, progress: Progress
) -> Path | None:
    """The release's sdist on the host: given, in a find-links directory, or downloaded
    from the index (capped, sha256 checked). None when the release has none."""
    if request.sdist is not None:
        return request.sdist
    prefixes = {f"{own.key.replace('-', '_')}-{own.version}", f"{own.key}-{own.version}",
                f"{own.name}-{own.version}"}  # fmt: skip
    for directory in request.release.find_links:
        for path in sorted(directory.iterdir()) if directory.is_dir() else []:
            stem = path.name.removesuffix(".tar.gz").removesuffix(".zip")
            if stem != path.name and stem.lower() in {p.lower() for p in prefixes}:
                return path
    index_url = request.release.index_url
    if index_url is None or request.release.offline:
        return None
    from tracker.probe.sdist import find_sdist

    found = find_sdist(own.name, own.version, index_url)
    if found is None:
        return None
    if found.size is not None and found.size > _MAX_SDIST_BYTES:
        return None
    progress(f"downloading {found.filename} for its tests")
    dest = scratch / Path(found.filename).name
    if download(found.url, dest, sha256=found.sha256, cap=_MAX_SDIST_BYTES,
                auth=index_credentials(index_url, found.url)) < 0:  # fmt: skip
        dest.unlink(missing_ok=True)
        return None
    return dest


def _base_args(root: Path, ini: Path, *, sdist: bool) -> list[str]:
    args = [
        "-c", str(ini), "--rootdir", str(root), "--confcutdir", str(root),
        "-p", "no:cacheprovider", "-p", "no:faulthandler", "-p", "no:randomly",
        "-p", "no:xdist", "--continue-on-collection-errors", "-q", "-rN",
        "-o", "console_output_style=classic",
    ]  # fmt: skip
    if sdist:
        # The sdist's own sources were never unpacked (only its test directories and
        # top conftest.py): its root on sys.path lets a conftest name its test helpers
        # as a package (Pillow's ``pytest_plugins = ["Tests.helper"]``) while every
        # import of the release still finds the installed wheel.
        args += ["--import-mode=importlib", "-o", f"pythonpath={root}"]
    return args


def _evidence(stderr: Path) -> str:
    """Faulthandler's report from a process's stderr (a fatal error or a stall dump)."""
    lines = list(bounded_lines(stderr))[-400:]
    text = "\n".join(lines)
    for marker in ("Fatal Python error", "Timeout ("):
        at = text.find(marker)
        if at >= 0:
            return text[at : at + _STACK_CHARS]
    return text[-_STACK_CHARS:]


def startup_error(lines: Sequence[str]) -> str:
    """Why a pytest process ended before running any test, from its stderr ``lines``:
    the last error line pytest printed (``E   OSError: ...``), else the last line.

    >>> startup_error(["ImportError while loading conftest 'x/conftest.py'.",
    ...                "x/__init__.py:6: in <module>", "E   OSError: no baseline images", ""])
    'OSError: no baseline images'
    """
    kept = [line.strip() for line in lines if line.strip()]
    errors = [line.removeprefix("E").strip() for line in kept if line.startswith("E ")]
    return (errors or kept or [""])[-1][:300]


def _control(
    setup: _Setup,
    failed: Sequence[str],
    hung: Collection[str],
    *,
    threads: int,
    iterations: int,
    budget: float,
    until: Callable[[float], float],
    timings: dict[str, float],
) -> dict[str, str]:
    """Run each test of ``failed`` (which failed, or hung: ``hung``, in threads without
    the GIL) in threads with the GIL on, and those that pass there once more: test ->
    its last outcome with the GIL on (absent: not run).

    No failure is to be classed without its control: the tests that failed run first,
    in their share of what is left and at least a fifth of the budget; then the hung
    ones, which may hang again, a stall limit each for up to three, so that one hang
    does not use up the others' time; the retry gets at least a tenth of the budget.
    Each may run past the deadline.
    """
    started = time.monotonic()
    seen: dict[str, str] = {}
    failing = [t for t in failed if t not in hung]
    if failing:
        phase = _run_phase(setup, failing, name="control", gil=1, threads=threads,
                           iterations=iterations,
                           deadline=max(until(0.8), time.monotonic() + budget * 0.2))  # fmt: skip
        seen.update(phase.outcomes)
    hanging = [t for t in failed if t in hung]
    if hanging:
        wait = (setup.stall + 10) * min(len(hanging), 3)
        phase = _run_phase(setup, hanging, name="control-hung", gil=1, threads=threads,
                           iterations=iterations, deadline=time.monotonic() + wait)  # fmt: skip
        seen.update(phase.outcomes)
    passing = [t for t in failed if seen.get(t) == "passed"]
    if passing:
        again = _run_phase(setup, passing, name="control-retry", gil=1, threads=threads,
                           iterations=iterations,
                           deadline=max(until(0.9), time.monotonic() + budget * 0.1))  # fmt: skip
        seen.update(again.outcomes)
    timings["control"] = round(time.monotonic() - started, 3)
    return seen


def _judged_by_control(
    test: str, with_gil: str | None, hang: str | None, *, flaky: bool
) -> TestFailure:
    """The class of ``test``, which failed (or hung, ``hang`` its stacks) in threads
    without the GIL, from its outcome ``with_gil`` in threads with the GIL on.

    Passing with the GIL on makes the failure a race (the hang a deadlock): only the
    GIL's absence brings it. Failing or hanging with the GIL on too is the test
    suite's (a test that waits on a fixed port or a signal hangs in any threads):
    inconclusive about the library. A hang whose control did not fail (passed, was
    skipped, not judged or not run in the time budget) stays a deadlock.
    """
    if hang is not None:
        if not _failed(with_gil):
            return TestFailure(test, FailureClass.DEADLOCK, hang, flaky)
        return TestFailure(
            test,
            FailureClass.UNSAFE,
            f"in threads with the GIL on: {with_gil} too\n{hang}",
            flaky,
        )
    if with_gil == "passed":
        return TestFailure(
            test, FailureClass.RACE, "fails in threads without the GIL, passes with it", flaky
        )
    return TestFailure(
        test, FailureClass.UNSAFE, f"in threads with the GIL on: {with_gil or 'not run'}", flaky
    )


def _run_phase(
    setup: _Setup,
    tests: Sequence[str],
    *,
    name: str,
    gil: int,
    threads: int = 1,
    iterations: int = 1,
    deadline: float,
    collect: bool = False,
) -> _Phase:
    """Run ``tests`` (or collect everything) in as few sandboxed processes as crashes and
    hangs allow; stop at ``deadline`` (a ``time.monotonic`` value)."""
    phase = _Phase()
    started = time.monotonic()
    remaining = list(tests)
    extra = ["--parallel-threads", str(threads), "--iterations", str(iterations)]
    for attempt in range(1, _MAX_RESTARTS + 1):
        left = deadline - time.monotonic()
        if left <= 0 or (not collect and not remaining):
            break
        plan_path = setup.work / f"{name}-{attempt}.json"
        plan = {
            "args": [*setup.args, *extra],
            "select": None if collect else remaining,
            "stall": setup.stall,
            "deadline": left,
            "collect_only": collect,
        }
        plan_path.write_text(json.dumps(plan))
        plan_path.chmod(0o644)
        log_dir = setup.work / f"{name}-{attempt}"
        log_dir.mkdir()
        in_flight: list[str] = []
        ended: list[bool] = []
        budget = [20 * (len(remaining) + len(phase.collected) + 50) + 100_000]

        def on_line(
            line: str, in_flight: list[str] = in_flight, ended: list[bool] = ended,
            budget: list[int] = budget,
        ) -> None:  # fmt: skip
            if budget[0] <= 0:
                return
            budget[0] -= 1
            try:
                event = json.loads(line)
            except ValueError:
                return
            if not isinstance(event, dict):
                return
            kind, test = event.get("event"), event.get("id")
            if kind == "collected" and isinstance(event.get("ids"), list):
                phase.collected += [str(i) for i in event["ids"]]
            elif kind == "collecterror" and isinstance(test, str):
                phase.collect_errors.append(test)
            elif kind == "start" and isinstance(test, str):
                in_flight[:] = [test]
                setup.progress(f"{name}: {test}")
            elif kind == "report" and isinstance(test, str):
                outcome = str(event.get("outcome"))
                if outcome == "failed" or test not in phase.outcomes:
                    phase.outcomes[test] = outcome
                elif outcome == "skipped" and phase.outcomes[test] == "passed":
                    phase.outcomes[test] = "skipped"
            elif kind == "slow" and isinstance(test, str):
                phase.outcomes[test] = "slow"
                phase.evidence[test] = f"still computing at the time budget while running {test}"
            elif kind == "finish" and isinstance(test, str):
                in_flight[:] = []
            elif kind == "end":
                ended.append(True)
                phase.gil_at_end.append(bool(event.get("gil")))
                phase.stopped = phase.stopped or bool(event.get("stopped"))

        argv = [
            str(setup.venv / "bin" / "python"), "-I", "-B", "-X", f"gil={gil}",
            "-X", "faulthandler", str(setup.work / "stress_child.py"), "{events_fd}",
            str(plan_path),
        ]  # fmt: skip
        limits = Limits(
            wall_seconds=left + setup.stall + 30, idle_seconds=setup.stall + 30,
            cpu_seconds=int(2 * (left + setup.stall) + 60), address_space_bytes=32 << 30,
            memory_bytes=4 << 30, file_size_bytes=256 << 20, tmp_bytes=512 << 20,
            open_files=2048, processes=512,
        )  # fmt: skip
        report = setup.sandbox.run(
            argv, ro_paths=setup.ro_paths, limits=limits, log_dir=log_dir, on_line=on_line
        )
        phase.processes += 1
        if collect:
            break
        if in_flight and not ended and in_flight[0] not in phase.outcomes:
            test = in_flight[0]
            stack = _evidence(log_dir / "stderr.log")
            phase.outcomes[test], phase.evidence[test] = ended_while_running(
                test, report, stack, stall=setup.stall
            )
        elif not ended:
            # died outside any test (start-up, collection): nothing more to learn here
            phase.startup_error = startup_error(list(bounded_lines(log_dir / "stderr.log")))
            break
        if phase.stopped or ended:
            break
        remaining = [t for t in remaining if t not in phase.outcomes]
    phase.seconds = round(time.monotonic() - started, 3)
    return phase


def ended_while_running(
    test: str, report: SandboxReport, stack: str, *, stall: float
) -> tuple[str, str]:
    """How a sandboxed process that ended while ``test`` ran is read: its outcome
    (``hung``, ``limited``, ``crashed``) and the evidence.

    A hang is the host's idle or wall limit, or the child's watchdog (no progress
    and no CPU for ``stall`` seconds: "Timeout ("). A kill by the run's own
    limits (the memory cgroup, SIGKILL or SIGXCPU from a limit) is ``limited``:
    eight threads of a large test may need more memory or CPU than one run
    allows, which says nothing about free-threading, so the test is not judged.
    Any other signal, a fatal error or an exit is a crash.
    """
    if report.timed_out or "Timeout (" in stack:
        return "hung", f"no progress for {stall:.0f}s while running {test}\n{stack}"
    if report.oom_killed or report.cpu_limit_hit or report.signal in (
        signal.SIGKILL, signal.SIGXCPU
    ):  # fmt: skip
        why = ("the memory limit" if report.oom_killed else "the CPU limit"
               if report.cpu_limit_hit else f"signal {report.signal}")  # fmt: skip
        return "limited", f"stopped by the run's limits ({why}) while running {test}\n{stack}"
    if report.signal is not None or "Fatal Python error" in stack:
        how = f"signal {report.signal}" if report.signal else "a fatal error"
        return "crashed", f"killed by {how} while running {test}\n{stack}"
    return "crashed", (
        f"the interpreter exited (code {report.returncode}) while running {test}\n{stack}"
    )


#: Outcomes of a test that ran but was not judged: ``slow`` (computing at the time
#: budget) and ``limited`` (stopped by the run's memory or CPU limit).
_UNJUDGED = frozenset({"slow", "limited"})


def _failed(outcome: str | None) -> bool:
    return outcome in ("failed", "error", "crashed", "hung")


def run_stress(
    request: StressRequest,
    *,
    interpreter: Interpreter,
    sandbox: Sandbox,
    uv_cache_dir: Path,
    progress: Progress = lambda message: None,
) -> StressResult:
    """Stress one release on ``interpreter``: its own tests alone, in threads, and in
    threads with the GIL on (see the module docstring).

    A release that does not install, or a runner that cannot be installed, raises
    :class:`ProbeError`; an index failure raises :class:`TransientProbeError`.
    """
    release = request.release
    started = time.monotonic()
    deadline = started + request.budget_seconds
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="fttrack-stress-") as tmp:
        scratch = Path(tmp)
        scratch.chmod(0o755)
        venv, env = scratch / "venv", _uv_env(uv_cache_dir)
        site, own = _venv_with_release(release, venv, interpreter, env, scratch, progress)
        timings["install"] = round(time.monotonic() - started, 3)
        base = StressResult(
            project=own.name, version=own.version, target=interpreter.target.name,
            platform=this_platform(), status=StressStatus.NO_TESTS, threads=request.threads,
            iterations=request.iterations, seed=request.seed, interpreter=interpreter.version,
            sandbox=sandbox.description,
        )  # fmt: skip

        # where the tests come from
        work, ini = _work_dir(scratch / "work")
        files = wheel_test_files(site, own.modules)
        pyproject: str | None = None
        if files:
            source, root, targets = "wheel", site, [str(d) for d in roots_of_tests(site, files)]
        else:
            found = _sdist_tests(request, own, scratch, progress)
            if isinstance(found, str):
                return _finish(base, started, timings, detail=found)
            source, root, targets, pyproject = "sdist", *found
        progress(f"tests from the {source}; installing pytest and test requirements")

        # test requirements
        step = time.monotonic()
        installer = _TestInstaller(release, venv, interpreter, env, site, own.key, scratch)
        not_installed = installer.requirements(
            [*extra_test_requirements(site, own, interpreter), *dependency_groups(pyproject)]
        )
        dists = read_distributions(site, interpreter.extension_suffixes)
        versions = {d.key: d.version for d in dists}
        _compile_bytecode(interpreter, site)
        timings["requirements"] = round(time.monotonic() - step, 3)
        base = _replace(
            base, source=source, not_installed=tuple(not_installed),
            run_parallel_version=versions.get("pytest-run-parallel", ""),
            pytest_version=versions.get("pytest", ""),
            installed=tuple(f"{d.name}=={d.version}" for d in dists),
        )  # fmt: skip

        setup = _Setup(
            interpreter=interpreter, sandbox=sandbox, venv=venv, work=work, root=root,
            args=[*_base_args(root, ini, sdist=source == "sdist"), *targets],
            ro_paths=list(dict.fromkeys([interpreter.prefix, venv, work, root])),
            stall=request.stall, progress=progress,
        )  # fmt: skip
        result = _three_runs(request, setup, base, started=started, deadline=deadline,
                             timings=timings)  # fmt: skip
        judged = result.status is not StressStatus.NO_TESTS
        if source != "wheel" or judged or time.monotonic() > deadline - 30:
            return result
        # The wheel's test package does not start (matplotlib's needs baseline images
        # it does not install), or none of its tests pass alone (SQLAlchemy's is its
        # dialect suite, for the sdist's configuration to drive): the sdist's tests.
        found = _sdist_tests(request, own, scratch, progress)
        if isinstance(found, str):
            return result
        root, targets, pyproject = found
        missing = installer.requirements(dependency_groups(pyproject), core=False)
        base = _replace(base, not_installed=(*base.not_installed, *missing))
        work, ini = _work_dir(scratch / "work-sdist")
        setup = dataclasses.replace(
            setup, root=root, work=work, args=[*_base_args(root, ini, sdist=True), *targets],
            ro_paths=list(dict.fromkeys([interpreter.prefix, venv, work, root])),
        )  # fmt: skip
        from_sdist = _three_runs(request, setup, _replace(base, source="sdist"),
                                 started=started, deadline=deadline, timings=timings)  # fmt: skip
        why = "did not start" if not result.tests_collected else "do not pass alone"
        note = f"the wheel's tests {why} ({result.detail}); ran the sdist's"
        return _replace(from_sdist, detail="; ".join(d for d in (note, from_sdist.detail) if d))


def _venv_with_release(
    release: ProbeRequest, venv: Path, interpreter: Interpreter, env: dict[str, str],
    scratch: Path, progress: Progress,
) -> tuple[Path, Distribution]:  # fmt: skip
    """A venv of ``interpreter`` with the release installed (wheels only, checked):
    its site-packages and the release's distribution. :class:`ProbeError` when the
    release does not install."""
    progress(f"creating a {interpreter.target.name} venv")
    _create_venv(interpreter, venv, env)
    progress("installing the release (wheels only)")
    failure = _install(
        release, venv=venv, python=interpreter.path, env=env, scratch=scratch,
        wheel_cache=shared_wheel_cache(Path(env["UV_CACHE_DIR"])),
    )  # fmt: skip
    if failure is not None:
        raise ProbeError(f"cannot stress {release.project}: {failure[0]}")
    site = find_site_packages(venv)
    dists = read_distributions(site, interpreter.extension_suffixes)
    own = next((d for d in dists if d.key == release.project), None)
    if own is None:
        raise ProbeError(f"{release.project} is not among the installed distributions")
    return site, own


@dataclass
class _TestInstaller:
    """Installs test requirements into a stress venv beside the release (wheels only,
    checked), each pinned to what the venv holds."""

    release: ProbeRequest
    venv: Path
    interpreter: Interpreter
    env: dict[str, str]
    site: Path
    own: str  # the release's normalized name
    scratch: Path
    tries: int = 0

    def _install(self, requirements: Sequence[str]) -> str:
        """One install; "" when done, else the installer's reason."""
        dists = read_distributions(self.site, self.interpreter.extension_suffixes)
        self.tries += 1
        return _install_requirements(
            requirements, request=self.release, venv=self.venv, python=self.interpreter.path,
            env=self.env, scratch=self.scratch / f"deps-{self.tries}",
            pins=[f"{d.name}=={d.version}" for d in dists
                  if d.key != self.own or not self.release.wheel],
            skip=frozenset(d.key for d in dists),
        )  # fmt: skip

    def requirements(self, extra: Sequence[str], *, core: bool = True) -> list[str]:
        """Install pytest and pytest-run-parallel (``core``: a failure raises
        :class:`ProbeError`), the helpers and ``extra`` (declared test extras and
        groups) at once, else one by one; returns those that could not be installed."""
        held = {d.key for d in read_distributions(self.site, self.interpreter.extension_suffixes)}
        optional = [*HELPER_REQUIREMENTS, *extra] if core else list(extra)
        optional = [r for r in dict.fromkeys(optional) if _name(r) not in held | {"pytest"}]
        wanted = [*CORE_REQUIREMENTS, *optional] if core else optional
        if not wanted or not self._install(wanted):
            return []
        if core and (why := self._install(list(CORE_REQUIREMENTS))):
            raise ProbeError(f"cannot install pytest and pytest-run-parallel: {why}")
        return [requirement for requirement in optional if self._install([requirement])]


def _work_dir(work: Path) -> tuple[Path, Path]:
    """A directory the sandboxed runs read (the child script, an empty pytest.ini) and
    write their logs in: (the directory, its pytest.ini)."""
    work.mkdir()
    work.chmod(0o755)
    ini = work / "pytest.ini"
    ini.write_text("[pytest]\n")
    shutil.copyfile(_CHILD, work / "stress_child.py")
    for path in (ini, work / "stress_child.py"):
        path.chmod(0o644)
    return work, ini


def _sdist_tests(
    request: StressRequest, own: Distribution, scratch: Path, progress: Progress
) -> tuple[Path, list[str], str | None] | str:
    """The release's sdist tests, unpacked on the host: (root, test directories, its
    pyproject.toml text), or why there are none."""
    sdist = _find_sdist(request, own, scratch, progress)
    if sdist is None:
        return "no tests in the wheel, no sdist"
    extracted = extract_tests(sdist, scratch / "sdist-tests")
    if extracted.root is None or not extracted.test_dirs:
        return f"no tests: {extracted.refused}"
    return extracted.root, [str(d) for d in extracted.test_dirs], extracted.pyproject


def _compile_bytecode(interpreter: Interpreter, site: Path) -> None:
    """Compile the venv's Python files once, on the host, with the trusted base
    interpreter (``-I -S``: no site, no ``.pth``; compiling runs none of the package's
    code): every sandboxed run reads the bytecode instead of compiling pytest,
    hypothesis and the package again (the venv is read-only in there)."""
    subprocess.run(
        [str(interpreter.path), "-I", "-S", "-m", "compileall", "-q", "-j", "0",
         "-x", _NOT_COMPILED, str(site)],
        capture_output=True, check=False, timeout=_INSTALL_TIMEOUT, env=_uv_env(site),
    )  # fmt: skip


def _name(requirement: str) -> str:
    try:
        return str(canonicalize_name(Requirement(requirement).name))
    except InvalidRequirement:
        return requirement


def _three_runs(
    request: StressRequest,
    setup: _Setup,
    base: StressResult,
    *,
    started: float,
    deadline: float,
    timings: dict[str, float],
) -> StressResult:
    """Collect, then the three runs and their retries; the result."""
    budget = request.budget_seconds
    progress = setup.progress
    progress("collecting tests")
    collected = _run_phase(setup, [], name="collect", gil=0, collect=True,
                           deadline=min(deadline, time.monotonic() + budget * 0.25))  # fmt: skip
    timings["collect"] = collected.seconds
    ids = list(dict.fromkeys(collected.collected))
    base = _replace(base, tests_collected=len(ids),
                    not_collected=tuple(collected.collect_errors[:50]))  # fmt: skip
    if not ids:
        errors = collected.collect_errors
        why = (f": {collected.startup_error}" if collected.startup_error
               else f": {len(errors)} file(s) could not be collected ({errors[0]})" if errors
               else "")  # fmt: skip
        return _finish(base, started, timings, detail=f"pytest collected no tests{why}")
    chosen = subset(ids, seed=request.seed, max_tests=request.max_tests)

    def until(share: float) -> float:
        return min(deadline, time.monotonic() + (deadline - time.monotonic()) * share)

    alone = _run_phase(setup, chosen, name="alone", gil=0, deadline=until(0.3))
    timings["alone"] = alone.seconds
    passed_alone = [t for t in chosen if alone.outcomes.get(t) == "passed"]
    failed_alone = [t for t in chosen if _failed(alone.outcomes.get(t))]
    notes: list[str] = []
    if any(alone.gil_at_end):
        notes.append("the GIL was enabled at the end of the run alone")
    if failed_alone:
        notes.append(f"{len(failed_alone)} test(s) fail alone (left out of the threaded runs)")
    base = _replace(base, tests_run=len(alone.outcomes), failed_alone=len(failed_alone))
    if not passed_alone:
        return _finish(base, started, timings, detail="; ".join(
            [f"none of the {len(alone.outcomes)} test(s) run pass alone", *notes]))  # fmt: skip

    threads, iterations = request.threads, request.iterations
    threaded = _run_phase(setup, passed_alone, name="threads", gil=0, threads=threads,
                          iterations=iterations, deadline=until(0.75))  # fmt: skip
    timings["threads"] = threaded.seconds
    failed = [t for t in passed_alone if _failed(threaded.outcomes.get(t))]
    retry = _Phase()
    if failed and time.monotonic() < deadline:
        retry = _run_phase(setup, failed, name="threads-retry", gil=0, threads=threads,
                           iterations=iterations, deadline=until(0.4))  # fmt: skip
    failures: dict[str, TestFailure] = {}
    to_control: list[str] = []
    hung: dict[str, str] = {}  # test -> the stacks of its hang without the GIL
    for test in failed:
        first, second = threaded.outcomes.get(test), retry.outcomes.get(test)
        flaky = second is not None and not _failed(second)
        worst = first if first in ("crashed", "hung") else second if second in (
            "crashed", "hung") else first  # fmt: skip
        evidence = threaded.evidence.get(test) or retry.evidence.get(test, "")
        if worst == "crashed":
            failures[test] = TestFailure(test, FailureClass.CRASH, evidence, flaky)
            continue
        if worst == "hung":
            hung[test] = evidence
        to_control.append(test)
    if to_control:
        with_gil = _control(setup, to_control, hung, threads=threads, iterations=iterations,
                            budget=budget, until=until, timings=timings)  # fmt: skip
        for test in to_control:
            flaky = retry.outcomes.get(test) is not None and not _failed(retry.outcomes[test])
            failures[test] = _judged_by_control(test, with_gil.get(test), hung.get(test),
                                                flaky=flaky)  # fmt: skip
    unjudged = [t for t in passed_alone if threaded.outcomes.get(t) in _UNJUDGED]
    if unjudged:
        notes.append(f"{len(unjudged)} test(s) not judged in threads (still computing at the "
                     "time budget, or stopped by the run's memory or CPU limit)")  # fmt: skip
    ran = [t for t in chosen if t in alone.outcomes
           and (t not in passed_alone or t in threaded.outcomes)]  # fmt: skip
    if alone.stopped or threaded.stopped or len(ran) < len(ids):
        notes.append(f"ran {len(ran)} of {len(ids)} collected tests (time budget, seeded subset)")
    failing = {t: f.failure.value for t, f in sorted(failures.items())}
    result = _replace(
        base, status=status_of(failing), tests_failed=len(failing), failing=failing,
        failures=tuple(failures[t] for t in sorted(failures)),
        fraction=round(len(ran) / len(ids), 4),
        reproduce=reproduce_command(base, sorted(failing) or chosen[:1], threads, iterations),
    )  # fmt: skip
    return _finish(result, started, timings, detail="; ".join(notes))


def reproduce_command(result: StressResult, tests: Sequence[str], threads: int,
                      iterations: int) -> str:  # fmt: skip
    """The shell commands that rerun ``tests`` in threads on a machine of yours."""
    shown = list(tests)[:5]
    pytest = ["python", "-m", "pytest", "-p", "no:cacheprovider", f"--parallel-threads={threads}",
              f"--iterations={iterations}"]  # fmt: skip
    pin = shlex.quote(f"{result.project}=={result.version}")
    install = f"python -m pip install --only-binary :all: {pin} pytest pytest-run-parallel"
    if result.source == "sdist":
        where = f"# in the unpacked sdist {result.project}-{result.version}/ (its tests only)"
        pytest.insert(5, "--import-mode=importlib")
    else:
        where = ('cd "$(python -c \'import sysconfig; print(sysconfig.get_path("purelib"))\')"'
                 "  # the installed package's tests")  # fmt: skip
    return "\n".join([install, where, "PYTHON_GIL=0 " + shlex.join([*pytest, *shown])])


def _replace(result: StressResult, **changes: object) -> StressResult:
    import msgspec.structs

    return msgspec.structs.replace(result, **changes)


def _finish(result: StressResult, started: float, timings: dict[str, float], *,
            detail: str = "") -> StressResult:  # fmt: skip
    duration = round(time.monotonic() - started, 3)
    timings["total"] = duration
    return _replace(result, detail=detail[:800], duration=duration, timings=dict(timings),
                    stressed_at=_now())  # fmt: skip


def stress(
    request: StressRequest,
    target: Target,
    settings: Settings,
    *,
    sandbox_level: str | None = None,
    allow_unsafe: bool = False,
    progress: Progress = lambda message: None,
) -> StressResult:
    """Stress ``request`` on ``target`` with the strongest sandbox available (the
    one call the CLI, the jobs and the snapshot build use)."""
    from tracker.probe.sandbox import choose_sandbox
    from tracker.pythons.discover import find_interpreter

    interpreter = find_interpreter(target, settings)
    sandbox = choose_sandbox(level=sandbox_level, allow_unsafe=allow_unsafe)
    settings.uv_cache_dir.mkdir(parents=True, exist_ok=True)
    return run_stress(request, interpreter=interpreter, sandbox=sandbox,
                      uv_cache_dir=settings.uv_cache_dir, progress=progress)  # fmt: skip
