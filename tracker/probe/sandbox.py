"""Run untrusted code (the probed package's import) with no network and hard limits.

Levels, strongest first; the one used is recorded on every result:

``bwrap``
    bubblewrap: new pid/net/ipc/uts namespaces, a read-only root holding only
    ``/usr``, the library links, the interpreter and the venv, a private
    size-capped ``/tmp``, a cleared environment, ``--as-pid-1`` so the whole
    namespace dies with the probed process. As root, the process also drops
    to a per-slot unprivileged uid (``setpriv``), which makes ``RLIMIT_NPROC``
    bite.
``unshare``
    util-linux ``unshare`` with new net and pid namespaces, plus a seccomp
    filter that refuses AF_INET/AF_INET6 sockets. The file system is not
    hidden: weaker, used only when bubblewrap is missing.
``none``
    no isolation at all; only with an explicit ``--unsafe-no-sandbox``.

Every level applies rlimits (CPU, address space, file size, open files,
processes, no core files), a cgroup (memory, pids) where one is writable, a
wall-clock limit and an idle limit (no progress line for too long), and kills
everything that is left when the run ends.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import resource
import select
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.errors import SandboxUnavailable
from tracker.models import SandboxReport
from tracker.probe import cgroup

__all__ = ["LEVELS", "Limits", "Sandbox", "choose_sandbox"]

LEVELS = ("bwrap", "unshare", "none")
_GIB = 1 << 30
_MIB = 1 << 20
_TAIL_BYTES = 16000
_SLOT_BASE_UID = 100_000 + (os.getpid() % 5000) * 16
_slots = itertools.count()
_slot_lock = threading.Lock()


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


def _next_uid() -> int:
    with _slot_lock:
        return _SLOT_BASE_UID + next(_slots) % 16


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

    def wrap(
        self, argv: Sequence[str], ro_paths: Sequence[Path], limits: Limits, uid: int | None
    ) -> list[str]:
        """The full command line that runs ``argv`` at this level."""
        return list(argv)

    def preexec(self, limits: Limits, group: cgroup.ProcessCgroup | None) -> None:
        """Runs in the child between fork and exec."""
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
    ) -> SandboxReport:
        """Run ``argv``; progress lines the child writes to the fd named by
        ``{events_fd}`` in argv go to ``on_line``. stdout and stderr are
        written to files in ``log_dir`` (host side, size-capped by RLIMIT_FSIZE)."""
        read_fd, write_fd = os.pipe()
        argv = [a.replace("{events_fd}", str(write_fd)) for a in argv]
        uid = _next_uid() if os.geteuid() == 0 else None
        command = self.wrap(argv, ro_paths, limits, uid)
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
                    pass_fds=(write_fd,),
                    env=env if env is not None else {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                    start_new_session=True,
                    preexec_fn=functools.partial(self.preexec, limits, group),
                    cwd=log_dir,
                )
            os.close(write_fd)
            write_fd = -1
            timed_out = self._pump(process, read_fd, limits, started, on_line)
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        finally:
            if write_fd >= 0:
                os.close(write_fd)
            os.close(read_fd)
            oom = group.oom_killed() if group is not None else False
            if group is not None:
                group.remove()
            if uid is not None:
                _kill_uid(uid)
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
        """Forward progress lines until the child closes the pipe; kill it on a limit."""
        buffer = b""
        last_progress = time.monotonic()
        while True:
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

    def wrap(
        self, argv: Sequence[str], ro_paths: Sequence[Path], limits: Limits, uid: int | None
    ) -> list[str]:
        command = [
            self.bwrap,
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--as-pid-1", "--clearenv",
            "--ro-bind", "/usr", "/usr",
        ]  # fmt: skip
        if uid is None:
            command.insert(1, "--unshare-user")
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            host = Path("/") / name
            if host.is_symlink():
                command += ["--symlink", os.readlink(host), str(host)]
            elif host.is_dir():
                command += ["--ro-bind", str(host), str(host)]
        for etc in ("/etc/ld.so.cache", "/etc/ssl", "/etc/localtime"):
            if os.path.exists(etc):
                command += ["--ro-bind", etc, etc]
        command += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
        made: set[Path] = {Path("/"), Path("/usr"), Path("/tmp")}
        for path in ro_paths:  # after the /tmp tmpfs, or it would hide binds under /tmp
            for parent in reversed(path.parents):
                if parent not in made:
                    command += ["--perms", "0755", "--dir", str(parent)]
                    made.add(parent)
            command += ["--ro-bind", str(path), str(path)]
            made.add(path)
        command += [
            "--proc", "/proc", "--dev", "/dev", "--remount-ro", "/",
            "--chdir", "/tmp",
            "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp",
            "--setenv", "LANG", "C.UTF-8", "--setenv", "TMPDIR", "/tmp",
            "--",
        ]  # fmt: skip
        if uid is not None:
            command += [_setpriv(), f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
        return command + list(argv)


class UnshareSandbox(Sandbox):
    """util-linux ``unshare`` plus a seccomp socket filter (see the module docstring)."""

    level = "unshare"

    def wrap(
        self, argv: Sequence[str], ro_paths: Sequence[Path], limits: Limits, uid: int | None
    ) -> list[str]:
        command = [
            shutil.which("unshare") or "unshare",
            "--net",
            "--pid",
            "--fork",
            "--kill-child",
            "--mount-proc",
            "--ipc",
            "--uts",
        ]
        if os.geteuid() != 0:
            command.append("--map-root-user")
        command.append("--")
        if uid is not None:
            command += [_setpriv(), f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
        return command + list(argv)

    def __init__(self) -> None:
        self.socket_filter = _inet_socket_filter()

    def preexec(self, limits: Limits, group: cgroup.ProcessCgroup | None) -> None:
        super().preexec(limits, group)
        self.socket_filter.load()


def _inet_socket_filter() -> Any:
    """A seccomp filter that makes socket(AF_INET|AF_INET6, ...) fail with EACCES.

    Built in the parent (libseccomp is loaded before fork) and loaded in the child.
    """
    import errno
    import socket

    import pyseccomp as seccomp

    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for family in (socket.AF_INET, socket.AF_INET6):
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, family))
    return rules


def _setpriv() -> str:
    return shutil.which("setpriv") or "/usr/bin/setpriv"


@functools.cache
def _works(sandbox: Sandbox) -> bool:
    """Whether ``sandbox`` can run ``/bin/true`` here."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        try:
            report = sandbox.run(
                ["/bin/true"], ro_paths=[], limits=Limits(wall_seconds=20), log_dir=Path(tmp)
            )
        except (OSError, ImportError):
            return False
    return report.returncode == 0


def available_sandboxes() -> list[Sandbox]:
    """The sandboxes that work on this machine, strongest first."""
    found: list[Sandbox] = []
    bwrap = shutil.which("bwrap")
    if bwrap and _works(BwrapSandbox(bwrap)):
        found.append(BwrapSandbox(bwrap))
    if shutil.which("unshare"):
        try:
            unshare = UnshareSandbox()
        except (ImportError, OSError, RuntimeError):
            return found  # no libseccomp: the unshare level is not complete without it
        if _works(unshare):
            found.append(unshare)
    return found


def choose_sandbox(*, level: str | None = None, allow_unsafe: bool = False) -> Sandbox:
    """The strongest working sandbox (or the one ``level`` names).

    Raises :class:`SandboxUnavailable` when nothing isolates and ``allow_unsafe`` is False.
    """
    if level == "none" or (level is None and allow_unsafe and not available_sandboxes()):
        if not allow_unsafe:
            raise SandboxUnavailable("sandbox level 'none' needs --unsafe-no-sandbox")
        return Sandbox()
    for sandbox in available_sandboxes():
        if level is None or sandbox.level == level:
            return sandbox
    wanted = f"sandbox level {level!r}" if level else "a sandbox"
    if shutil.which("bwrap"):
        reason = (
            "bubblewrap is installed but cannot create namespaces here (in a container, "
            "run it with --security-opt systempaths=unconfined, see the README)"
        )
    else:
        reason = "install bubblewrap (apt-get install bubblewrap)"
    raise SandboxUnavailable(
        f"{wanted} is not available here: {reason}, "
        "or pass --unsafe-no-sandbox to run packages' code without isolation"
    )
