"""What the sandbox's seccomp filter and scratch space refuse, at every level.

The probed code runs the real free-threaded interpreter inside the sandbox and
tries each system call itself (through ``ctypes``, with raw numbers where the C
library would hide junk in an argument's upper half).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyseccomp
import pytest

from tracker.probe.sandbox import Limits, choose_sandbox
from tracker.pythons.discover import Interpreter

MIB = 1 << 20
TMP_BYTES = 8 * MIB

_PROBE = r"""
import ctypes, errno, json, os, socket, sys
numbers = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
found = {}

def call(name, *args):
    ctypes.set_errno(0)
    result = libc.syscall(numbers[name], *[ctypes.c_long(a) for a in args])
    return "ok" if result >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")

for family in (socket.AF_NETLINK, socket.AF_PACKET, socket.AF_VSOCK, socket.AF_ALG, 4242):
    found[f"socket:{family}"] = call("socket", family, socket.SOCK_DGRAM, 0)
found["socket:netlink-high-bits"] = call("socket", (1 << 32) | socket.AF_NETLINK, 2, 0)
found["socketpair:unix"] = "ok" if socket.socketpair() else "?"
found["unshare:user"] = call("unshare", 0x10000000)
found["clone3"] = call("clone3", 0, 0)
found["ptrace"] = call("ptrace", 0, 0, 0, 0)
found["keyctl"] = call("keyctl", 0, -3, 0)
found["bpf"] = call("bpf", 0, 0, 0)
found["userfaultfd"] = call("userfaultfd", 0)
ctypes.set_errno(0)
mounted = libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)  # refused by the filter or for want of caps
found["mount"] = "ok" if mounted == 0 else errno.errorcode.get(ctypes.get_errno(), "?")

written = {}
for directory in ("/tmp", "/var/tmp", "/dev/shm"):
    total = 0
    try:
        with open(directory + "/fill" + directory.replace("/", "-"), "wb") as handle:
            chunk = b"x" * (1 << 20)
            while total < 64 << 20:
                handle.write(chunk)
                handle.flush()
                total += len(chunk)
    except OSError as exc:
        written[directory + ":error"] = errno.errorcode.get(exc.errno, "?")
    written[directory] = total
found["written"] = written
print(json.dumps(found))
"""

NAMES = ("socket", "unshare", "clone3", "ptrace", "keyctl", "bpf", "userfaultfd")


@pytest.fixture(scope="module")
def numbers() -> dict[str, int]:
    arch = pyseccomp.system_arch()
    return {name: pyseccomp.resolve_syscall(arch, name) for name in NAMES}


@pytest.mark.parametrize("level", ["bwrap", "unshare"])
def test_filter_and_scratch_caps(
    level: str,
    numbers: dict[str, int],
    interpreters: dict[str, Interpreter],
    tmp_path: Path,
) -> None:
    interpreter = next(iter(interpreters.values()))
    report = choose_sandbox(level=level).run(
        [str(interpreter.path), "-I", "-c", _PROBE, json.dumps(numbers)],
        ro_paths=[interpreter.prefix],
        limits=Limits(wall_seconds=60, idle_seconds=60, tmp_bytes=TMP_BYTES),
        log_dir=tmp_path,
    )
    assert report.returncode == 0, report.stderr_tail
    found = json.loads((tmp_path / "stdout.log").read_text())
    for family in ("16", "17", "40", "38", "4242"):
        assert found[f"socket:{family}"] == "EAFNOSUPPORT", family
    assert found["socket:netlink-high-bits"] == "EAFNOSUPPORT"
    assert found["socketpair:unix"] == "ok"
    assert found["unshare:user"] in ("EPERM", "ENOSPC")  # ENOSPC: nesting limit set to 0
    assert found["clone3"] in ("ENOSYS", "EPERM")
    for name in ("ptrace", "keyctl", "bpf", "userfaultfd", "mount"):
        assert found[name] == "EPERM", name
    written = found["written"]
    for directory in ("/tmp", "/var/tmp", "/dev/shm"):  # each usable...
        assert written.get(f"{directory}:error", "ENOSPC") == "ENOSPC", written
    assert written["/tmp"] > 0
    total = written["/tmp"] + written["/var/tmp"] + written["/dev/shm"]
    assert total <= TMP_BYTES, written  # ...and all three together within one cap


@pytest.mark.parametrize("level", ["bwrap", "unshare"])
def test_every_scratch_directory_is_writable(
    level: str, interpreters: dict[str, Interpreter], tmp_path: Path
) -> None:
    interpreter = next(iter(interpreters.values()))
    code = (
        "import sys\nfor d in ('/tmp', '/var/tmp', '/dev/shm'):\n"
        "    open(d + '/probe', 'w').write('x')\nprint('wrote all')\n"
    )
    report = choose_sandbox(level=level).run(
        [str(interpreter.path), "-I", "-c", code],
        ro_paths=[interpreter.prefix],
        limits=Limits(wall_seconds=60, idle_seconds=60),
        log_dir=tmp_path,
    )
    assert report.returncode == 0, report.stderr_tail
    assert (tmp_path / "stdout.log").read_text().strip() == "wrote all"
