"""Run untrusted code (the probed package's import) with no network and hard limits.

Levels, strongest first; the one used is recorded on every result (with why a
stronger one was not, when it fell back). docs/sandbox.md says exactly what each
level protects.

``bwrap``
    bubblewrap: new pid/net/ipc/uts (and, as non-root, user) namespaces, a
    read-only root holding only ``/usr``, the library links, a few files of
    ``/etc``, the interpreter and the venv; ``/tmp`` (``/var/tmp`` points into
    it) and ``/dev/shm`` size-capped together; a cleared environment; the seccomp
    filter of :mod:`tracker.probe.seccomp`; no nested user namespaces. As root, the
    process drops to a per-slot unprivileged uid (``setpriv``), which makes
    ``RLIMIT_NPROC`` bite, under a root shell that stays pid 1 so that the
    namespace dies with fttrack.
``unshare``
    util-linux ``unshare`` (new mount/pid/net/ipc/uts namespaces, and a user
    namespace as non-root) and a shell that builds the same kind of root by hand
    (tmpfs root, read-only binds, ``pivot_root``, the old root unmounted), then
    drops every capability (and, as root, to a slot uid). Its seccomp filter
    also refuses every ``socket()`` family; nested user namespaces are refused
    by the filter (root) or by a nesting limit of 0 (non-root). Used only when
    bubblewrap is missing or does not work.
``none``
    no isolation at all; only with an explicit ``--unsafe-no-sandbox``.

Every level applies rlimits (CPU, address space, file size, open files,
processes, no core files), a cgroup (memory, pids) where one is writable, a
wall-clock limit and an idle limit (no progress line for too long), a
parent-death signal on the sandbox's first process, and kills everything that
is left when the run ends.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import itertools
import logging
import os
import resource
import select
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import SandboxUnavailable
from tracker.models import SandboxReport
from tracker.probe import cancel, cgroup, seccomp

__all__ = ["LEVELS", "Limits", "Sandbox", "choose_sandbox"]

LEVELS = ("bwrap", "unshare", "none")
_GIB = 1 << 30
_MIB = 1 << 20
_TAIL_BYTES = 16000
_SLOT_COUNT = 16
# Probe slot uids: far from login users (< 60000), systemd's dynamic and container
# ranges (up to 0x6FFFFFFF) and the subordinate ranges useradd hands out for rootless
# containers (100000 to 600100000), so killing "everything of a slot uid" hits nothing else.
_SLOT_RANGE_START = 0x7A00_0000
_SUBID_FILES = (Path("/etc/subuid"), Path("/etc/subgid"))
_slots = itertools.count()
_slot_lock = threading.Lock()
_log = logging.getLogger(__name__)
_TOOL_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ssl", "/etc/localtime")
# One size-capped tmpfs behind /tmp, /var/tmp and /dev/shm (their total is capped).
_SCRATCH = "/.scratch"
_SCRATCH_DIRS = (("/tmp", "tmp"), ("/var/tmp", "var-tmp"), ("/dev/shm", "shm"))


@dataclass(frozen=True)
class Launch:
    """One run as a sandbox level sees it."""

    argv: Sequence[str]
    ro_paths: Sequence[Path]
    limits: Limits
    uid: int | None  # the slot uid to drop to (when fttrack runs as root)
    fds: Sequence[int]  # what launch_fds() opened for this run
    log_dir: Path  # host directory of this run (the sandbox program's working directory)


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed process."""

    wall_seconds: float = 120.0
    idle_seconds: float = 60.0
    cpu_seconds: int = 120
    address_space_bytes: int = 8 * _GIB
    memory_bytes: int = 4 * _GIB
    file_size_bytes: int = 256 * _MIB
    tmp_bytes: int = 256 * _MIB
    open_files: int = 512
    processes: int = 256


def _apply_rlimits(limits: Limits) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_AS, (limits.address_space_bytes,) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_bytes,) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes,) * 2)


def _subordinate_ranges(files: Sequence[Path]) -> list[tuple[int, int]]:
    """The ``(first, count)`` id ranges delegated in ``/etc/subuid``-style files."""
    ranges: list[tuple[int, int]] = []
    for path in files:
        try:
            lines = path.read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            fields = line.strip().split(":")
            if len(fields) == 3 and fields[1].isdigit() and fields[2].isdigit():
                ranges.append((int(fields[1]), int(fields[2])))
    return ranges


def slot_base_uid(pid: int, subid_files: Sequence[Path] = _SUBID_FILES) -> int:
    """The first of this process's ``_SLOT_COUNT`` probe uids.

    Spread by pid so that fttrack processes sharing a host rarely share uids, and
    moved past any subordinate id range delegated to a user (rootless containers).
    """
    base = _SLOT_RANGE_START + (pid % 4096) * _SLOT_COUNT
    taken = _subordinate_ranges(subid_files)
    moved = True
    while moved:
        moved = False
        for first, count in taken:
            if first < base + _SLOT_COUNT and base < first + count:
                base, moved = first + count, True
    return base


@functools.cache
def _own_slot_base(pid: int) -> int:
    return slot_base_uid(pid)


def _next_uid() -> int:
    with _slot_lock:
        return _own_slot_base(os.getpid()) + next(_slots) % _SLOT_COUNT


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - _TAIL_BYTES))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


class Sandbox:
    """Runs argv under one isolation level. Use :func:`choose_sandbox` to get one."""

    level = "none"
    note = ""

    def identity(self) -> tuple[str, ...]:
        """What makes two instances behave the same (the self-check cache key)."""
        return (self.level,)

    @property
    def description(self) -> str:
        """The level, with why a stronger one was not used: kept on every verdict."""
        return f"{self.level} ({self.note})" if self.note else self.level

    def noted(self, note: str) -> Sandbox:
        """A copy of this sandbox whose :attr:`description` carries ``note``."""
        clone = copy.copy(self)
        clone.note = note
        return clone

    def launch_fds(self) -> list[int]:
        """File descriptors one run hands to the sandbox program (closed after the start)."""
        return []

    def wrap(self, launch: Launch) -> list[str]:
        """The full command line that runs ``launch.argv`` at this level."""
        return list(launch.argv)

    def preexec(self, limits: Limits, group: cgroup.ProcessCgroup | None, parent: int) -> None:
        """Runs in the child between fork and exec."""
        _die_with_parent(parent)
        if group is not None:
            group.add_self()
        _apply_rlimits(limits)

    def run(
        self,
        argv: Sequence[str],
        *,
        ro_paths: Sequence[Path],
        limits: Limits,
        log_dir: Path,
        on_line: Callable[[str], None] = lambda line: None,
        env: dict[str, str] | None = None,
        on_start: Callable[[int], None] = lambda pid: None,
    ) -> SandboxReport:
        """Run ``argv``; progress lines the child writes to the fd named by
        ``{events_fd}`` in argv go to ``on_line``, the host pid of the sandbox's
        first process to ``on_start``. stdout and stderr are
        written to files in ``log_dir`` (host side, size-capped by RLIMIT_FSIZE).

        Inside a :meth:`tracker.probe.cancel.Cancel.scope` whose flag gets set, the
        run is killed within half a second, cleaned up as any other, and
        :class:`~tracker.errors.Cancelled` is raised instead of a report."""
        cancel.check()
        _prctl()  # loaded here: the forked child must not load a library
        read_fd, write_fd = os.pipe()
        argv = [a.replace("{events_fd}", str(write_fd)) for a in argv]
        uid = _next_uid() if os.geteuid() == 0 else None
        extra_fds = self.launch_fds()
        try:
            command = self.wrap(Launch(argv, ro_paths, limits, uid, extra_fds, log_dir))
        except BaseException:
            for fd in extra_fds:
                os.close(fd)
            raise
        group = cgroup.create(limits.memory_bytes, limits.processes)
        stdout_path, stderr_path = log_dir / "stdout.log", log_dir / "stderr.log"
        started = time.monotonic()
        timed_out = False
        try:
            with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    pass_fds=(write_fd, *extra_fds),
                    env=env if env is not None else {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                    start_new_session=True,
                    preexec_fn=functools.partial(self.preexec, limits, group, os.getpid()),
                    cwd=log_dir,
                )
            os.close(write_fd)
            write_fd = -1
            on_start(process.pid)
            for fd in extra_fds:
                os.close(fd)
            extra_fds = []
            timed_out = self._pump(process, read_fd, limits, started, on_line)
            if cancel.requested():
                _kill_group(process.pid)  # not reaped yet: the group is still this run's
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        finally:
            if write_fd >= 0:
                os.close(write_fd)
            for fd in extra_fds:
                os.close(fd)
            os.close(read_fd)
            oom = group.oom_killed() if group is not None else False
            if group is not None:
                group.remove()
            if uid is not None:
                _kill_uid(uid)
        cancel.check()  # a run cut short reports nothing
        wall = time.monotonic() - started
        returncode, sig = _decode_status(status, self.level)
        cpu = usage.ru_utime + usage.ru_stime
        return SandboxReport(
            level=self.level,
            returncode=returncode,
            signal=sig,
            timed_out=timed_out,
            oom_killed=oom,
            cpu_limit_hit=cpu >= limits.cpu_seconds - 0.5,
            max_rss_kib=usage.ru_maxrss,
            user_seconds=round(usage.ru_utime, 3),
            system_seconds=round(usage.ru_stime, 3),
            wall_seconds=round(wall, 3),
            stderr_tail=_tail(stderr_path),
        )

    @staticmethod
    def _pump(
        process: subprocess.Popen[bytes],
        read_fd: int,
        limits: Limits,
        started: float,
        on_line: Callable[[str], None],
    ) -> bool:
        """Forward progress lines until the child closes the pipe; kill it on a limit
        (True) or when the run is cancelled."""
        buffer = b""
        last_progress = time.monotonic()
        while True:
            if cancel.requested():
                _kill_group(process.pid)
                return False
            now = time.monotonic()
            deadline = min(started + limits.wall_seconds, last_progress + limits.idle_seconds)
            if now >= deadline:
                _kill_group(process.pid)
                return True
            ready, _, _ = select.select([read_fd], [], [], min(deadline - now, 0.5))
            if not ready:
                if _exited(process.pid) and not _still_open(read_fd):
                    return False
                continue
            chunk = os.read(read_fd, 65536)
            if not chunk:
                return False
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            buffer = buffer[-65536:]
            for line in lines:
                last_progress = time.monotonic()
                on_line(line.decode("utf-8", "replace"))


def _exited(pid: int) -> bool:
    """Whether child ``pid`` has exited, leaving it to be reaped (``WNOWAIT``): its
    rusage is collected by ``wait4`` afterwards, which must find it."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _still_open(read_fd: int) -> bool:
    ready, _, _ = select.select([read_fd], [], [], 0)
    return bool(ready)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _kill_uid(uid: int) -> None:
    """Kill anything still running as a probe slot's uid (belt and braces)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid == uid:
                os.kill(int(entry.name), signal.SIGKILL)


def _decode_status(status: int, level: str) -> tuple[int | None, int | None]:
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    code = os.WEXITSTATUS(status)
    if level != "none" and code > 128 and code - 128 < signal.NSIG:
        return None, code - 128  # bwrap and unshare report a child's death by signal as 128+N
    return code, None


class BwrapSandbox(Sandbox):
    """bubblewrap isolation (see the module docstring)."""

    level = "bwrap"

    def __init__(self, bwrap: str) -> None:
        self.bwrap = bwrap
        self.program = seccomp.compile_bpf(seccomp.build_filter(families=seccomp.BWRAP_FAMILIES))
        self.disable_userns = _bwrap_has(bwrap, "--disable-userns")

    def identity(self) -> tuple[str, ...]:
        return (self.level, self.bwrap)

    def launch_fds(self) -> list[int]:
        return [seccomp.bpf_fd(self.program)]

    def wrap(self, launch: Launch) -> list[str]:
        command = [
            self.bwrap,
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--as-pid-1", "--clearenv",
            "--seccomp", str(launch.fds[0]),
            "--ro-bind", "/usr", "/usr",
        ]  # fmt: skip
        if launch.uid is None:
            nested = ["--disable-userns"] if self.disable_userns else []
            command[1:1] = ["--unshare-user", *nested]
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            host = Path("/") / name
            if host.is_symlink():
                command += ["--symlink", os.readlink(host), str(host)]
            elif host.is_dir():
                command += ["--ro-bind", str(host), str(host)]
        # /etc made readable first: bwrap would make it 0700, root's only, and the slot
        # uid could read neither ld.so.cache nor the certificates
        command += ["--perms", "0755", "--dir", "/etc"]
        for etc in _ETC_FILES:
            if os.path.exists(etc):
                command += ["--ro-bind", etc, etc]
        # /tmp (which /var/tmp points to) and /dev/shm share one cap: tmp_bytes in total.
        shm_bytes = launch.limits.tmp_bytes // 4
        command += [
            "--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", str(launch.limits.tmp_bytes - shm_bytes),
            "--tmpfs", "/tmp",
            "--perms", "1777", "--size", str(shm_bytes), "--tmpfs", "/dev/shm",
            "--perms", "0755", "--dir", "/var", "--symlink", "../tmp", "/var/tmp",
        ]  # fmt: skip
        made: set[Path] = {Path("/"), Path("/usr"), Path("/tmp"), Path("/var"), Path("/dev"),
                           Path("/etc")}  # fmt: skip
        for path in launch.ro_paths:  # after /tmp is mounted, or it would hide binds under it
            for parent in reversed(path.parents):
                if parent not in made:
                    command += ["--perms", "0755", "--dir", str(parent)]
                    made.add(parent)
            command += ["--ro-bind", str(path), str(path)]
            made.add(path)
        command += [
            "--remount-ro", "/",
            "--chdir", "/tmp",
            "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp",
            "--setenv", "LANG", "C.UTF-8", "--setenv", "TMPDIR", "/tmp",
            "--",
        ]  # fmt: skip
        if launch.uid is not None:
            # A root shell stays pid 1 of the namespace and reaps: bwrap's parent-death
            # signal reaches it (same uid), and its death ends the whole namespace. The
            # slot uid itself cannot be signalled by bwrap, which holds no capabilities.
            command += ["/bin/sh", "-c", _REAPER, "fttrack-reaper", _setpriv()]
            command += [*_drop_to(launch.uid), "--"]
        return command + list(launch.argv)


@functools.cache
def _bwrap_has(bwrap: str, option: str) -> bool:
    """Whether this bubblewrap knows ``option`` (0.8 added ``--disable-userns``)."""
    try:
        shown = subprocess.run(
            [bwrap, "--help"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return option in shown.stdout + shown.stderr


class UnshareSandbox(Sandbox):
    """util-linux ``unshare`` building its own root, plus seccomp (see the module docstring)."""

    level = "unshare"

    def __init__(self) -> None:
        for tool in ("unshare", "mount", "umount", "pivot_root", "setpriv"):
            if not shutil.which(tool, path=_TOOL_PATH):
                raise RuntimeError(f"{tool} is missing")
        root = os.geteuid() == 0
        self.filter = seccomp.build_filter(
            families=seccomp.UNSHARE_FAMILIES,
            deny_mounts=False,  # loaded before the setup, which mounts and pivots
            deny_new_userns=root,  # as non-root the setup needs one (then disables more)
        )

    def wrap(self, launch: Launch) -> list[str]:
        command = [
            _which("unshare"),
            "--mount", "--propagation", "private",
            "--net", "--pid", "--fork", "--kill-child", "--ipc", "--uts",
        ]  # fmt: skip
        if launch.uid is None:
            command.append("--map-root-user")
        new_root = launch.log_dir / "root"
        new_root.mkdir(exist_ok=True)
        script = unshare_setup_script(new_root, launch.ro_paths, launch.limits.tmp_bytes,
                                      disable_userns=launch.uid is None)  # fmt: skip
        command += ["--", "/bin/sh", "-c", script, "fttrack-setup", _setpriv()]
        if launch.uid is not None:
            command += _drop_to(launch.uid)
        else:
            command += ["--pdeathsig", "SIGKILL"]
        command += ["--inh-caps=-all", "--bounding-set=-all", "--"]
        return command + list(launch.argv)

    def preexec(self, limits: Limits, group: cgroup.ProcessCgroup | None, parent: int) -> None:
        super().preexec(limits, group, parent)
        self.filter.load()


def unshare_setup_script(
    new_root: Path, ro_paths: Sequence[Path], tmp_bytes: int, *, disable_userns: bool
) -> str:
    """The shell commands that build the ``unshare`` level's file system and exec ``"$@"``.

    Run as (namespace) root inside fresh mount, pid, net, ipc and uts namespaces: a
    tmpfs root holding read-only binds of ``/usr``, the library links, a few files of
    ``/etc`` and ``ro_paths``; a fresh ``/proc``; a ``/dev`` of the harmless devices;
    one size-capped tmpfs behind ``/tmp``, ``/var/tmp`` and ``/dev/shm``. Then
    ``pivot_root`` and a lazy unmount of the old root: nothing else of the host
    remains reachable.
    """
    q = shlex.quote
    root = q(str(new_root))
    lines = [
        "set -eu",
        f"PATH={_TOOL_PATH}",
        f"R={root}",
        'mount -t tmpfs -o mode=0755,size=8m,nosuid,nodev fttrack-root "$R"',
        'cd "$R"',
        "mkdir -p usr etc proc dev var .old",
    ]

    def bind_ro(host: str, inside: str) -> None:
        if Path(host).is_dir():
            lines.append(f'mkdir -p "$R"{q(inside)}')
        else:
            lines.append(f'mkdir -p "$R"{q(str(Path(inside).parent))}')
            lines.append(f': > "$R"{q(inside)}')
        lines.append(f'mount --bind {q(host)} "$R"{q(inside)}')
        lines.append(f'mount -o remount,bind,ro,nosuid,nodev "$R"{q(inside)}')

    bind_ro("/usr", "/usr")
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            lines.append(f'ln -s {q(os.readlink(host))} "$R"/{name}')
        elif host.is_dir():
            bind_ro(str(host), str(host))
    for etc in _ETC_FILES:
        if os.path.exists(etc):
            bind_ro(etc, etc)
    lines.append('mount -t proc -o nosuid,nodev,noexec proc "$R/proc"')
    if disable_userns:  # limits the sandbox's own user namespace: none can nest in it
        lines.append('echo 0 > "$R/proc/sys/user/max_user_namespaces"')
    for device in ("null", "zero", "full", "random", "urandom"):
        lines.append(f': > "$R/dev/{device}"')
        lines.append(f'mount --bind /dev/{device} "$R/dev/{device}"')
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):  # fmt: skip
        lines.append(f'ln -s {target} "$R/dev/{name}"')
    lines.append(
        f'mkdir -p "$R{_SCRATCH}" && '
        f'mount -t tmpfs -o mode=0755,size={int(tmp_bytes)},nosuid,nodev fttrack-tmp "$R{_SCRATCH}"'
    )
    for inside, name in _SCRATCH_DIRS:
        lines.append(f'mkdir -m 1777 "$R{_SCRATCH}/{name}" && mkdir -p "$R{inside}"')
        lines.append(f'mount --bind "$R{_SCRATCH}/{name}" "$R{inside}"')
    for path in ro_paths:
        bind_ro(str(path), str(path))
    lines += [
        "pivot_root . .old",
        "cd /",
        "umount -l /.old",
        "rmdir /.old",
        "mount -o remount,bind,ro,nosuid,nodev /",
        "cd /tmp",
        "export HOME=/tmp TMPDIR=/tmp PATH=/usr/bin:/bin LANG=C.UTF-8",
        'exec "$@"',
    ]
    return "\n".join(lines) + "\n"


def _which(tool: str) -> str:
    return shutil.which(tool, path=_TOOL_PATH) or f"/usr/bin/{tool}"


def _setpriv() -> str:
    return _which("setpriv")


def _drop_to(uid: int) -> list[str]:
    """setpriv options that switch to ``uid`` and then restore the parent-death signal.

    The kernel clears the parent-death signal on a uid change, so without
    ``--pdeathsig`` (applied by setpriv after the change) the sandboxed process
    would outlive a killed fttrack.
    """
    return [f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--pdeathsig", "SIGKILL"]


_PR_SET_PDEATHSIG = 1
_REAPER = '"$@" & wait "$!"'


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl``, looked up before any fork (None where there is none)."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function: Callable[..., int] = libc.prctl
    except (OSError, AttributeError):
        return None
    return function


def _die_with_parent(parent: int) -> None:
    """In a freshly forked child: get SIGKILL when the thread that forked it ends.

    If the parent is already gone (it died before the signal was armed), exit now.
    """
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(127)


_checked: dict[tuple[str, ...], str] = {}
_check_lock = threading.Lock()
_check_locks: dict[tuple[str, ...], threading.Lock] = {}


def self_check(sandbox: Sandbox) -> str:
    """Why ``sandbox`` cannot run ``/bin/true`` here ("" when it can).

    Checked once per process and kind of sandbox (the result is kept), so that
    choosing a sandbox for every probe costs no extra process. Different kinds
    are checked side by side.
    """
    key = sandbox.identity()
    with _check_lock:
        lock = _check_locks.setdefault(key, threading.Lock())
    with lock:
        if key not in _checked:
            _checked[key] = _run_check(sandbox)
        return _checked[key]


def _run_check(sandbox: Sandbox) -> str:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        try:
            report = sandbox.run(
                ["/bin/true"], ro_paths=[], limits=Limits(wall_seconds=20), log_dir=Path(tmp)
            )
        except (OSError, ImportError, RuntimeError) as exc:
            return f"{type(exc).__name__}: {exc}"[:300]
    if report.returncode == 0:
        return ""
    lines = [line.strip() for line in report.stderr_tail.splitlines() if line.strip()]
    detail = lines[-1] if lines else f"exit status {report.returncode}, signal {report.signal}"
    return detail[:300]


def _candidates() -> list[Sandbox]:
    """Every sandbox this machine has the programs for, strongest first."""
    found: list[Sandbox] = []
    bwrap = shutil.which("bwrap")
    try:
        if bwrap:
            found.append(BwrapSandbox(bwrap))
        if shutil.which("unshare", path=_TOOL_PATH):
            found.append(UnshareSandbox())
    except (ImportError, OSError, RuntimeError) as exc:  # no libseccomp, or a tool missing
        _log.warning("probe sandbox: %s", exc)
    return found


#: Kernel settings that decide whether an unprivileged process may make user namespaces.
_USERNS_SETTINGS = (
    "/proc/sys/kernel/unprivileged_userns_clone",
    "/proc/sys/user/max_user_namespaces",
    "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
)
_LEVEL_PROGRAMS = ("unshare", "mount", "umount", "pivot_root", "setpriv")


def _program(path: str | None) -> list[object] | None:
    """A program's path and file identity (its mode too: a setuid bit decides as much)."""
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return [path]
    identity = [found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_mode]
    return [path, *identity, found.st_uid]


def self_check_inputs() -> dict[str, object]:
    """What decides which levels pass their self-check here, read without starting a
    process: the sandbox programs found (bwrap on PATH, util-linux's tools), the
    kernel's user-namespace settings, the effective uid. Equal inputs, same levels:
    the key under which ``fttrack status`` keeps :func:`available_sandboxes`' answer."""
    programs = {"bwrap": _program(shutil.which("bwrap"))}
    for name in _LEVEL_PROGRAMS:
        programs[name] = _program(shutil.which(name, path=_TOOL_PATH))
    kernel: dict[str, str | None] = {}
    for setting in _USERNS_SETTINGS:
        try:
            kernel[setting] = Path(setting).read_text().strip()
        except OSError:
            kernel[setting] = None
    return {"programs": programs, "kernel": kernel, "euid": os.geteuid()}


def available_sandboxes() -> list[Sandbox]:
    """The sandboxes that work on this machine, strongest first (checked side by side)."""
    from concurrent.futures import ThreadPoolExecutor

    candidates = _candidates()
    with ThreadPoolExecutor(max_workers=max(1, len(candidates))) as pool:
        reasons = list(pool.map(self_check, candidates))
    return [sandbox for sandbox, reason in zip(candidates, reasons, strict=True) if not reason]


def _with_fallback_note(sandbox: Sandbox, skipped: list[tuple[Sandbox, str]]) -> Sandbox:
    """``sandbox``, described with why the stronger levels were not used (and logged)."""
    if not skipped:
        return sandbox
    why = "; ".join(f"{s.level} unavailable: {reason}" for s, reason in skipped)
    _log.warning("probe sandbox falls back to %r (%s)", sandbox.level, why)
    return sandbox.noted(why)


def choose_sandbox(*, level: str | None = None, allow_unsafe: bool = False) -> Sandbox:
    """The strongest working sandbox (or the one ``level`` names).

    A fall back to a weaker level than the strongest installed one is logged
    and shows in the sandbox's :attr:`Sandbox.description` (which the verdict keeps).
    Raises :class:`SandboxUnavailable` when nothing isolates and ``allow_unsafe`` is False.
    """
    skipped: list[tuple[Sandbox, str]] = []
    if level != "none":
        for sandbox in _candidates():
            reason = self_check(sandbox)
            if level is not None and sandbox.level != level:
                continue
            if not reason:
                return _with_fallback_note(sandbox, skipped)
            skipped.append((sandbox, reason))
    if level == "none" or (level is None and allow_unsafe):
        if not allow_unsafe:
            raise SandboxUnavailable("sandbox level 'none' needs --unsafe-no-sandbox")
        return _with_fallback_note(Sandbox(), skipped)
    wanted = f"sandbox level {level!r}" if level else "a sandbox"
    if shutil.which("bwrap"):
        reason = (
            "bubblewrap is installed but cannot create namespaces here (in a container, "
            "run it with --security-opt systempaths=unconfined, see docs/sandbox.md)"
        )
    else:
        reason = "install bubblewrap (apt-get install bubblewrap)"
    found = "".join(f" ({s.level}: {why})" for s, why in skipped)
    raise SandboxUnavailable(
        f"{wanted} is not available here{found}: {reason}, "
        "or pass --unsafe-no-sandbox to run packages' code without isolation"
    )
