"""The commands that read the database over a damaged row and over a damaged file.

A damaged row (one project's summary or document that does not decode) is
skipped and named; a damaged SQLite file (a page overwritten) ends every
command in one line, exit code 2, never a traceback. Real processes, real files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.test_damaged_rows import corrupt, damage_pages
from tests.store.helpers import fill
from tracker.store import open_store

FTTRACK = str(Path(sys.executable).with_name("fttrack"))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache directory for the module: the machine report is checked once."""
    return tmp_path_factory.mktemp("cache")


def run(args: list[str], cache_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FTTRACK_CACHE_DIR": str(cache_dir),
        "FTTRACK_DATA_DIR": str(cwd / "data"),
        "FTTRACK_SNAPSHOT": str(cwd / "no-snapshot.json.gz"),
        "NO_COLOR": "1",
        "COLUMNS": "120",
    }
    env.pop("FTTRACK_DB", None)
    return subprocess.run(
        [FTTRACK, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def filled(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "fttrack.db"
    url = f"sqlite:///{path}"
    with open_store(url, seed=False) as store:
        fill(store)
    return path, url


def test_a_damaged_summary_is_named_and_skipped(tmp_path: Path, cache_dir: Path) -> None:
    _path, url = filled(tmp_path)
    corrupt(url, "summary")
    status = run(["status", "--db", url], cache_dir, tmp_path)
    assert status.returncode == 0, status.stderr
    assert "2 projects" in status.stdout
    assert "damaged row (skipped): numpy summary: " in status.stdout
    site = tmp_path / "site"
    export = run(["export", str(site), "--db", url], cache_dir, tmp_path)
    assert export.returncode == 0, export.stderr
    assert "skipped a damaged row: numpy (summary: " in export.stderr
    assert sorted(p.name for p in (site / "projects").iterdir()) == [
        "legacy-pkg.html",
        "legacy-pkg.json.gz",
        "six.html",
        "six.json.gz",
    ]  # each project's history and its page; numpy's damaged row is left out
    (tmp_path / "requirements.txt").write_text("numpy==2.5.5\nsix==1.17.0\n")
    audit = run(["audit", "requirements.txt", "--db", url, "--format", "json"], cache_dir, tmp_path)
    assert audit.returncode in (0, 1), audit.stderr
    assert '"six"' in audit.stdout and "Traceback" not in audit.stderr


def test_a_damaged_document_is_skipped_by_export_and_audit(tmp_path: Path, cache_dir: Path) -> None:
    _path, url = filled(tmp_path)
    corrupt(url, "document", "[1, 2")
    site = tmp_path / "site"
    export = run(["export", str(site), "--db", url], cache_dir, tmp_path)
    assert export.returncode == 0, export.stderr
    assert "skipped a damaged row: numpy (document: " in export.stderr
    assert not (site / "projects" / "numpy.json.gz").exists()
    (tmp_path / "requirements.txt").write_text("numpy==2.5.5\nsix==1.17.0\n")
    audit = run(["audit", "requirements.txt", "--db", url, "--format", "json"], cache_dir, tmp_path)
    assert audit.returncode in (0, 1), audit.stderr
    assert "Traceback" not in audit.stderr
    assert "skipped a damaged row: numpy (document: " in audit.stderr


@pytest.mark.parametrize("tables", [("project_documents",), ("projects", "project_documents")])
def test_a_damaged_file_is_one_line_from_every_command(
    tmp_path: Path, cache_dir: Path, tables: tuple[str, ...]
) -> None:
    path, url = filled(tmp_path)
    for table in tables:
        damage_pages(path, table)
    (tmp_path / "requirements.txt").write_text("numpy==2.5.5\n")
    for args in (
        ["status", "--db", url],
        ["export", str(tmp_path / "site"), "--db", url],
        ["audit", "requirements.txt", "--db", url],
    ):
        done = run(args, cache_dir, tmp_path)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, (args, done.stderr)
        assert lines[0].startswith("error: ") and "malformed" in lines[0], (args, lines)
