"""The seeding child of a fresh ``fttrack serve`` (see :mod:`tracker.api.seeding`).

``python -m tracker.seed_child SNAPSHOT`` seeds the empty database named by
``$FTTRACK_SEED_DB`` (never on the command line: ``ps`` shows it) in one
transaction, at a lower CPU priority, printing ``done total`` per project on
stdout. It exits at once when its parent goes away or on SIGTERM: nothing is
committed then. It imports only the store, not the web stack.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from pathlib import Path

__all__ = ["DB_VARIABLE", "SEED_NICENESS", "main"]

#: The environment variable that carries the database URL to the child.
DB_VARIABLE = "FTTRACK_SEED_DB"
#: How much lower the child's CPU priority is than the server's.
SEED_NICENESS = 5


def _exit_with_parent(parent: int) -> None:
    """End this process as soon as its parent is gone (a killed server)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(3)


def main(argv: list[str] | None = None) -> int:
    """``python -m tracker.seed_child SNAPSHOT`` seeds ``$FTTRACK_SEED_DB``,
    printing ``done total`` per project on stdout."""
    import signal

    from tracker.redact import redact_record
    from tracker.store.engine import open_store

    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact_record)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(4))  # rolled back: nothing committed
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    with contextlib.suppress(OSError):  # not allowed here: the same priority then
        os.nice(SEED_NICENESS)
    store = open_store(os.environ[DB_VARIABLE], seed=False)
    try:
        if store.project_count() > 0:
            return 0
        out = sys.stdout

        def progress(done: int, total: int) -> None:
            out.write(f"{done} {total}\n")
            out.flush()

        store.seed(Path(args[0]), progress=progress)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
