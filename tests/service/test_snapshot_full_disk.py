"""A snapshot written to a full disk: one line, exit code 2, no ``.partial`` file left.

The disk is really full: a 64 KiB tmpfs, filled up, mounted in a private mount
namespace (``unshare --mount``) that exists only for the command's lifetime, so
nothing on the machine sees it. Skipped where mount namespaces are not allowed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.store.helpers import fill
from tracker.store import open_store

FTTRACK = str(Path(sys.executable).with_name("fttrack"))


def in_full_tmpfs(mountpoint: Path, command: list[str], env: dict[str, str]) -> str:
    """A shell line running ``command`` with a full 64 KiB tmpfs on ``mountpoint``."""
    quoted = " ".join(f"'{part}'" for part in command)
    return (
        f"mount -t tmpfs -o size=64k tmpfs '{mountpoint}' || exit 77; "
        f"cat /dev/zero > '{mountpoint}/filler' 2>/dev/null; "
        f"{quoted}; code=$?; ls -A '{mountpoint}'; exit $code"
    )


def test_a_full_disk_ends_the_snapshot_write_in_one_line(tmp_path: Path) -> None:
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    url = f"sqlite:///{tmp_path / 'work.db'}"
    with open_store(url, seed=False) as store:
        fill(store)
    full = tmp_path / "full"
    full.mkdir()
    output = full / "snapshot.json.gz"
    env = {
        **os.environ,
        "FTTRACK_DATA_DIR": str(tmp_path / "data"),
        "FTTRACK_SNAPSHOT": str(tmp_path / "no-snapshot.json.gz"),
        "NO_COLOR": "1",
    }
    command = [
        FTTRACK, "snapshot", "build", "--no-crawl", "--top", "0", "--max-probes", "0",
        "--no-sdists", "--no-dependents", "--db", url, "--output", str(output),
    ]  # fmt: skip
    argv = ["unshare", "--mount", "--propagation", "private"]
    if os.geteuid() != 0:
        argv.insert(1, "--map-root-user")
    done = subprocess.run(
        [*argv, "sh", "-c", in_full_tmpfs(full, command, env)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode == 77 or "unshare failed" in done.stderr:
        pytest.skip(f"no private tmpfs here: {done.stderr.strip()[:200]}")
    assert done.returncode == 2, (done.stdout, done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error")]
    assert errors == [f"error: {output}: cannot write the snapshot: No space left on device"]
    assert "Traceback" not in done.stderr
    assert done.stdout.split() == ["filler"]  # no snapshot.json.gz.partial, no index
