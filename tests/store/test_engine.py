"""Opening databases: URLs, SQLite settings, migrations (create and upgrade)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tracker.errors import StoreError
from tracker.models import Evidence, Status
from tracker.store import Store, open_store
from tracker.store.engine import (
    HEAD_REVISION,
    current_revision,
    head_revision,
    make_engine,
    migrate,
    normalize_db_url,
)
from tracker.store.tables import metadata


def test_postgres_urls_use_psycopg() -> None:
    assert normalize_db_url("postgresql://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    assert normalize_db_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_db_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "oracle://x"])
def test_unsupported_urls_are_store_errors(url: str) -> None:
    with pytest.raises(StoreError):
        make_engine(url)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_only_fttracks_own_data_directory_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "data" / "fttrack"
    monkeypatch.setenv("FTTRACK_DATA_DIR", str(own))
    make_engine(f"sqlite:///{own / 'fttrack.db'}").dispose()
    assert own.is_dir()
    with pytest.raises(StoreError, match=r"no such directory .*mistyped"):
        make_engine(f"sqlite:///{tmp_path / 'mistyped' / 'x.db'}")
    assert not (tmp_path / "mistyped").exists()


def test_unreachable_database_is_a_store_error() -> None:
    with pytest.raises(StoreError):
        open_store("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")


def test_new_database_is_migrated_to_head(store: Store) -> None:
    assert current_revision(store.engine) == head_revision() == HEAD_REVISION
    tables = set(sa.inspect(store.engine).get_table_names())
    assert {"projects", "watchlist", "releases", "files", "probe_runs"} <= tables


def test_migrations_match_the_table_classes(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_old_database_is_upgraded_keeping_its_rows(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0001")
    assert current_revision(engine) == "0001"
    columns = {c["name"] for c in sa.inspect(engine).get_columns("probe_runs")}
    assert "installed" not in columns
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO projects (name, display_name, revision) VALUES ('numpy', 'NumPy', 1)"
            )
        )
        project_id = connection.execute(sa.text("SELECT id FROM projects")).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO releases (project_id, version, yanked) VALUES (:p, '2.5.5', false)"
            ),
            {"p": project_id},
        )
        release_id = connection.execute(sa.text("SELECT id FROM releases")).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO probe_runs (release_id, project, version, target, platform, status,"
                " culprits, modules, interpreter, sandbox, timings, stderr_tail, detail, probed_at)"
                " VALUES (:r, 'numpy', '2.5.5', '3.14t', 'manylinux_x86_64', 'ready', '[]', '[]',"
                " '3.14.7', 'bwrap', '{}', '', '', '2026-11-01 12:00:00+00:00')"
            ),
            {"r": release_id},
        )
    engine.dispose()

    store = open_store(db_url, snapshot=tmp_path / "missing.json.gz")  # upgrades in place
    try:
        assert current_revision(store.engine) == head_revision()
        document = store.project_document("numpy")  # built by the upgrade
        assert document is not None and document.display_name == "NumPy"
        verdict = document.releases[0].targets["3.14t"]
        assert (verdict.status, verdict.evidence) == (Status.READY, Evidence.PROBE)
        assert store.summaries()[0].cell("3.14t").status is Status.READY
        with store.engine.connect() as connection:
            installed = connection.execute(sa.text("SELECT installed FROM probe_runs")).scalar_one()
        assert installed in ([], "[]")
    finally:
        store.close()


def test_migrating_twice_changes_nothing(store: Store) -> None:
    migrate(store.engine)
    assert current_revision(store.engine) == head_revision()


def test_a_database_at_head_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'at-head.db'}"
    open_store(url, seed=False).close()
    script = (
        "import sys\n"
        "from tracker.store import open_store\n"
        f"open_store({url!r}, seed=False).close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
