"""Stopping a run part-way: how a shutting-down service cuts its stress jobs short.

A :class:`Cancel` is a flag shared by the runs it may stop. The thread that runs
one opens :meth:`Cancel.scope`; inside it, every sandboxed process
(:meth:`tracker.probe.sandbox.Sandbox.run`) and every host command started with
:func:`run` (the resolver and installer of :mod:`tracker.probe.staging` and
:mod:`tracker.probe.runner`) watches the flag at least every
:data:`POLL_SECONDS` (the sandbox: every half second). Once :meth:`Cancel.cancel`
is called, each of them kills its own process (the sandbox's whole process
group, then its cgroup and slot uid, as at the end of any run) and raises
:class:`~tracker.errors.Cancelled`, and so does any step started afterwards: the
run unwinds, and nothing is recorded for it. Only the thread that started a
process ever signals or reaps it, so no pid can be hit after it was reused.

Outside any scope (``fttrack probe``, ``fttrack stress``, the service's import
probes) nothing changes: :func:`run` is :func:`subprocess.run`.

>>> stop = Cancel()
>>> with stop.scope():
...     requested()
False
>>> stop.cancel()
>>> with stop.scope():
...     pass
Traceback (most recent call last):
...
tracker.errors.Cancelled: stopped: fttrack is shutting down
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence

from tracker.errors import Cancelled

__all__ = ["POLL_SECONDS", "Cancel", "check", "requested", "run"]

#: How often a host command started with :func:`run` looks at the flag.
POLL_SECONDS = 0.2

_local = threading.local()


class Cancel:
    """A flag that stops every run of the threads inside one of its scopes."""

    def __init__(self, reason: str = "fttrack is shutting down") -> None:
        self.reason = reason
        self._event = threading.Event()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()

    def cancel(self) -> None:
        """Stop the runs in this flag's scopes (they notice within a second)."""
        self._event.set()

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Make this flag the current thread's, for the ``with`` block; raises
        :class:`Cancelled` at once when it is already set."""
        previous = getattr(_local, "cancel", None)
        _local.cancel = self
        try:
            check()
            yield
        finally:
            _local.cancel = previous


def _current() -> Cancel | None:
    found = getattr(_local, "cancel", None)
    return found if isinstance(found, Cancel) else None


def requested() -> bool:
    """Whether the current thread's run has been cancelled (False outside any scope)."""
    current = _current()
    return current is not None and current.cancelled


def check() -> None:
    """Raise :class:`Cancelled` when the current thread's run has been cancelled."""
    current = _current()
    if current is not None and current.cancelled:
        raise Cancelled(f"stopped: {current.reason}")


def run(
    argv: Sequence[str],
    *,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """:func:`subprocess.run` of ``argv`` with its output captured as text, killed when the
    current thread's run is cancelled (then :class:`Cancelled` is raised) or when it
    outlives ``timeout`` (then :class:`subprocess.TimeoutExpired`, as ``subprocess.run``)."""
    check()
    if _current() is None:
        return subprocess.run(
            argv, input=input, capture_output=True, text=True, env=env, cwd=cwd,
            timeout=timeout, check=False, preexec_fn=preexec_fn,
        )  # fmt: skip
    deadline = time.monotonic() + timeout
    with subprocess.Popen(
        argv, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd,
        preexec_fn=preexec_fn,
    ) as process:  # fmt: skip
        pending = input  # sent once: communicate() refuses input when called again
        while True:
            try:
                out, err = process.communicate(pending, timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pending = None
                if requested():
                    process.kill()
                    process.communicate()
                    check()
                if time.monotonic() >= deadline:
                    process.kill()
                    process.communicate()
                    raise subprocess.TimeoutExpired(argv, timeout) from None
    check()
    return subprocess.CompletedProcess(argv, process.returncode, out, err)
