"""The seccomp filter of the probe sandbox: system calls an import has no use for.

Refused (``EPERM`` unless said otherwise), whatever the caller's privileges:

- ``socket``/``socketpair`` of any family but the allowed ones (``EAFNOSUPPORT``):
  no netlink, packet, vsock (which crosses network namespaces), bluetooth,
  kernel crypto (``AF_ALG``) ... The allowed set is per level;
- new user namespaces: ``unshare`` and ``clone`` with ``CLONE_NEWUSER``, and
  ``clone3`` (``ENOSYS``, its flags are out of a filter's reach: the C library
  falls back to ``clone``), plus ``setns``;
- other processes' memory and the kernel's shared state: ``ptrace``,
  ``process_vm_readv``/``writev``, ``keyctl``/``add_key``/``request_key``
  (keyrings outlive the sandbox), ``bpf``, ``userfaultfd``, ``perf_event_open``,
  ``io_uring_*``, ``kexec_*``, module loading, ``swapon``/``swapoff``, ``reboot``;
- file-system reshaping, unless the filter is loaded before the sandbox's own
  setup: ``mount`` and the new mount API, ``umount2``, ``pivot_root``, ``chroot``.

The filter is built with libseccomp (``pyseccomp``) for the native architecture
only: a system call made through another ABI (``int 0x80`` on x86-64) kills the
process. Arguments are compared on their low 32 bits where the kernel reads an
``int``, so junk in the upper half cannot slip a family past a rule.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from collections.abc import Collection
from typing import Any

__all__ = ["BWRAP_FAMILIES", "UNSHARE_FAMILIES", "bpf_fd", "build_filter", "compile_bpf"]

CLONE_NEWUSER = 0x1000_0000
_LOW32 = 0xFFFF_FFFF
# AF_UNIX reaches only what the file system shows (and abstract sockets of the
# sandbox's own network namespace); AF_INET/AF_INET6 only its own loopback.
BWRAP_FAMILIES = frozenset({socket.AF_UNIX, socket.AF_INET, socket.AF_INET6})
UNSHARE_FAMILIES: frozenset[int] = frozenset()  # socketpair(AF_UNIX) stays (see below)
_HIGHEST_FAMILY = 64  # above AF_MAX (46 in Linux 6.x): every family the kernel knows

_ALWAYS_DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev",
    "keyctl", "add_key", "request_key",
    "bpf", "userfaultfd", "perf_event_open",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "swapon", "swapoff", "reboot", "acct", "setns",
)  # fmt: skip
_SETUP_ONLY = (
    "mount", "umount2", "pivot_root", "chroot",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
)  # fmt: skip


def build_filter(
    *,
    families: Collection[int],
    socketpair_unix: bool = True,
    deny_new_userns: bool = True,
    deny_mounts: bool = True,
) -> Any:
    """A libseccomp filter (allow by default) refusing what the module docstring lists.

    ``families``: the socket families ``socket`` may create. ``socketpair_unix``
    keeps ``socketpair(AF_UNIX)``, which reaches nothing outside the process tree.
    ``deny_new_userns``/``deny_mounts`` are False only for a filter loaded before
    the sandbox sets itself up with those calls (the ``unshare`` level).
    """
    import pyseccomp as sc

    rules = sc.SyscallFilter(defaction=sc.ALLOW)
    no_family = sc.ERRNO(errno.EAFNOSUPPORT)
    pair_families = set(families) | ({socket.AF_UNIX} if socketpair_unix else set())
    for call, allowed in (("socket", set(families)), ("socketpair", pair_families)):
        for family in range(_HIGHEST_FAMILY):
            if family not in allowed:
                rules.add_rule(no_family, call, sc.Arg(0, sc.MASKED_EQ, _LOW32, family))
        rules.add_rule(no_family, call, sc.Arg(0, sc.GE, _HIGHEST_FAMILY))
    denied = _ALWAYS_DENIED + (_SETUP_ONLY if deny_mounts else ())
    for name in denied:
        _deny(rules, name, errno.EPERM)
    if deny_new_userns:
        newuser = sc.Arg(0, sc.MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER)
        rules.add_rule(sc.ERRNO(errno.EPERM), "unshare", newuser)
        rules.add_rule(sc.ERRNO(errno.EPERM), "clone", newuser)
        _deny(rules, "clone3", errno.ENOSYS)
    return rules


def _deny(rules: Any, name: str, number: int) -> None:
    import pyseccomp as sc

    # A call this kernel or libseccomp does not know cannot be made either.
    with contextlib.suppress(OSError, ValueError, RuntimeError):
        rules.add_rule(sc.ERRNO(number), name)


def compile_bpf(rules: Any) -> bytes:
    """The filter as the BPF program the kernel loads."""
    fd = os.memfd_create("fttrack-seccomp", os.MFD_CLOEXEC)
    with os.fdopen(fd, "w+b") as handle:
        rules.export_bpf(handle)
        handle.seek(0)
        return handle.read()


def bpf_fd(program: bytes) -> int:
    """An in-memory file holding ``program``, positioned at its start: what
    ``bwrap --seccomp FD`` reads. The caller closes it."""
    fd = os.memfd_create("fttrack-seccomp", os.MFD_CLOEXEC)
    try:
        os.write(fd, program)
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd
