"""A writer killed with SIGKILL in the middle of a project leaves no half-written release."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import sqlalchemy as sa

from tracker.store import Store
from tracker.store.tables import File, Release


def test_sigkill_mid_transaction_leaves_no_partial_rows(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    marker = tmp_path / "written"
    script = textwrap.dedent(
        f"""
        import pathlib, time
        from tracker.store import open_store
        from tracker.store import queries
        from tests.store.helpers import numpy_page
        store = open_store({db_url!r}, seed=False)
        with store.session_scope() as session:
            queries.upsert_project_page(session=session, name="numpy", serial=1, etag=None,
                                        files=numpy_page())
            session.flush()
            pathlib.Path({str(marker)!r}).write_text("flushed")
            time.sleep(60)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=Path(__file__).parents[2], start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert process.poll() is None, "the writer died before flushing"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    with store.session_scope() as session:
        for table in (Release, File):
            assert session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0
    # and the database still takes writes (no lock left behind)
    store.upsert_project_page("numpy", 2, None, [])
