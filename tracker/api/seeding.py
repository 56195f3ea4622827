"""Seeding a fresh server's database in a separate process, and the writes that wait for it.

A new, empty database is filled from the snapshot (``store.seed``: one
transaction, about a minute and a half for 5,000 projects on SQLite). Done in
the serving process, that import holds the interpreter's lock most of the time
(badge answers waited up to 1.6 s) and SQLite's write lock all of the time (a
write waited 84 s). So :class:`Seeding` runs it in a child process
(``python -m tracker.seed_child``, at a lower CPU priority) while the cache
answers from the snapshot itself; the serving process only reads one progress
line per project from the child. Meanwhile:

- write routes answer ``202`` at once ("accepted, applied after seeding") and
  their action is queued here; :meth:`Seeding.finish` applies the queue in
  order once the database is seeded (and the scheduler started);
- a read the snapshot cannot answer (a release's probe history) answers
  ``503`` with ``Retry-After``: :meth:`Seeding.retry_after` estimates the
  seconds left from the child's progress.

The child stops by itself when its parent goes away (a killed server leaves no
orphan import behind; the transaction is rolled back), and :meth:`Seeding.stop`
ends it on a clean shutdown.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.api.cache import SummaryCache
    from tracker.store.engine import Store

__all__ = ["Seeding"]

log = logging.getLogger("fttrack.serve")

#: Projects per second assumed before the child reports progress.
_ASSUMED_RATE = 50.0


class Seeding:
    """Whether the database is being seeded, how far, and the writes waiting for it.

    Thread-safe. Inactive until :meth:`begin`; :meth:`defer` queues an action
    while active; :meth:`finish` applies the queue and ends the state.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = False
        self._started = 0.0
        self._done = 0
        self._total = 0
        self._pending: list[tuple[str, Callable[[], Any]]] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = False
        self.failed: str | None = None

    @property
    def active(self) -> bool:
        """True from :meth:`begin` until :meth:`finish` has applied every deferred write."""
        return self._active

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called (the server is stopping)."""
        return self._stopping

    def begin(self, total: int) -> None:
        """Enter the seeding state for a snapshot of ``total`` projects."""
        with self._lock:
            self._active = True
            self._started = time.monotonic()
            self._done = 0
            self._total = total

    def progress(self, done: int) -> None:
        """The child imported ``done`` projects."""
        self._done = done

    def retry_after(self) -> int:
        """Estimated whole seconds until the database is seeded (at least 1)."""
        elapsed = time.monotonic() - self._started
        done, total = self._done, self._total
        rate = done / elapsed if done > 0 and elapsed > 0 else _ASSUMED_RATE
        # the documents are rebuilt after the last project: count them as a tenth more
        left = (max(total - done, 0) + total / 10) / max(rate, 1e-3)
        return max(1, round(left))

    def defer(self, what: str, action: Callable[[], Any]) -> bool:
        """Queue ``action`` (described by ``what``) when seeding; False (nothing queued)
        when not seeding, so the caller acts at once."""
        with self._lock:
            if not self._active:
                return False
            self._pending.append((what, action))
            return True

    def finish(self) -> int:
        """Apply the deferred writes in order and leave the seeding state; returns how many
        were applied. A write that fails is logged in one line and the others go on."""
        from tracker.api.errors import describe

        applied = 0
        while True:
            with self._lock:
                if self._stopping and self._pending:
                    log.warning("stopping: %d deferred writes not applied", len(self._pending))
                    self._pending = []
                if not self._pending:
                    self._active = False
                    break
                batch, self._pending = self._pending, []
            for what, action in batch:
                try:
                    result = action()
                    if inspect.isawaitable(result):
                        asyncio.run(_awaited(result))
                    applied += 1
                except Exception as exc:  # one bad write must not stop the others
                    log.warning("deferred %s failed: %s", what, describe(exc))
        if applied:
            log.info("applied %d write%s deferred while seeding", applied, "s" * (applied != 1))
        return applied

    # -- the child process ---------------------------------------------------------------

    def run(self, cache: SummaryCache, store: Store, snapshot: Path) -> bool:
        """Seed ``store`` from ``snapshot`` in a child process while ``cache`` answers from
        the snapshot; True when the database was seeded. Blocks: call it from a thread.

        On failure (logged) the cache goes on answering from the snapshot.
        """
        from tracker.archive import Archive
        from tracker.seed_child import DB_VARIABLE

        archive = Archive(snapshot)
        total = len(archive.names())
        if self._active:
            self._total = total
        else:
            self.begin(total)
        cache.serve_from(archive)
        log.info("answering from the snapshot %s while the database is seeded", snapshot.name)
        started = time.monotonic()
        env = dict(os.environ)
        env[DB_VARIABLE] = store.engine.url.render_as_string(hide_password=False)
        with self._lock:
            if self._stopping:
                return False
            self._process = process = subprocess.Popen(
                [sys.executable, "-m", "tracker.seed_child", str(snapshot)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
            )
        log.info("seeding in a separate process (pid %d)", process.pid)
        assert process.stdout is not None
        for line in process.stdout:  # one "done total" line per project
            parts = line.split()
            if len(parts) == 2 and parts[0].isdigit():
                self.progress(int(parts[0]))
        code = process.wait()
        if code != 0:
            self.failed = "stopped" if self._stopping else f"the seeding process exited {code}"
            log.error("seeding failed (%s): answering from the snapshot", self.failed)
            return False
        cache.serve_from(None)
        cache.refresh(force=True)  # here, not in a request: the switch costs a few hundred ms
        log.info(
            "database seeded in %.1f s: answering from the database", time.monotonic() - started
        )
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """End the child (its transaction is rolled back); nothing when none runs."""
        with self._lock:
            self._stopping = True
            process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


async def _awaited(value: Any) -> Any:
    return await value
