"""Test support for the store: database URLs for SQLite and PostgreSQL, sample pages and probes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tracker.models import Culprit, ModuleOutcome, ModuleResult, ProbeResult, Status
from tracker.store.engine import Store
from tracker.store.queries import PageFile

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """A URL whose connections use a fresh, private schema, dropped afterwards."""
    schema = f"fttrack_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def numpy_page() -> list[PageFile]:
    """numpy: 2.4.6 has cp313t wheels only, 2.5.5 cp314t and cp315t, 2.6.0rc1 a pre-release."""
    return [
        PageFile("2.4.6", "numpy-2.4.6-cp313-cp313t-manylinux_2_28_x86_64.whl", False, 100, T0),
        PageFile("2.4.6", "numpy-2.4.6-cp313-cp313-manylinux_2_28_x86_64.whl", False, 100, T0),
        PageFile("2.4.6", "numpy-2.4.6.tar.gz", False, 50, T0),
        PageFile(
            "2.5.5",
            "numpy-2.5.5-cp314-cp314t-manylinux_2_28_x86_64.whl",
            False,
            110,
            T0 + timedelta(days=30),
        ),
        PageFile(
            "2.5.5",
            "numpy-2.5.5-cp315-cp315t-manylinux_2_28_x86_64.whl",
            False,
            110,
            T0 + timedelta(days=31),
        ),
        PageFile(
            "2.5.5",
            "numpy-2.5.5-cp314-cp314t-macosx_11_0_arm64.whl",
            False,
            90,
            "2026-12-01T12:00:00Z",
        ),
        PageFile(
            "2.6.0rc1", "numpy-2.6.0rc1-cp314-cp314t-manylinux_2_28_x86_64.whl", False, 1, None
        ),
    ]


def six_page() -> list[PageFile]:
    """six: pure wheels; 1.16.0 yanked."""
    return [
        PageFile("1.16.0", "six-1.16.0-py2.py3-none-any.whl", "broken metadata", 10, T0),
        PageFile("1.17.0", "six-1.17.0-py2.py3-none-any.whl", False, 10, T0),
        PageFile("1.17.0", "six-1.17.0.tar.gz", False, 10, T0),
    ]


def legacy_page() -> list[PageFile]:
    """An sdist-only project."""
    return [PageFile("0.1", "legacy_pkg-0.1.tar.gz", False, 5, T0)]


def probe(
    project: str = "numpy",
    version: str = "2.5.5",
    target: str = "3.14t",
    status: Status = Status.READY,
    *,
    at: datetime = T0 + timedelta(days=40),
    culprit: str | None = None,
) -> ProbeResult:
    """A probe result with modules, timings and (optionally) a culprit."""
    culprits = (Culprit(culprit, project),) if culprit else ()
    outcome = ModuleOutcome.GIL_REENABLED if culprit else ModuleOutcome.OK
    return ProbeResult(
        project=project,
        version=version,
        target=target,
        platform="manylinux_x86_64",
        status=status,
        culprits=culprits,
        modules=(ModuleResult(culprit or f"{project}._core", outcome, "", project, True, 0.25),),
        interpreter="3.14.7",
        sandbox="bwrap",
        timings={"install": 1.5, "import": 0.25},
        stderr_tail="RuntimeWarning: ..." if culprit else "",
        detail=f"{status.value} on {target}",
        probed_at=at.isoformat(),
        installed=(f"{project}=={version}",),
    )


def fill(store: Store) -> None:
    """numpy (probed: gil-reenabled on 3.14t, ready on 3.13t), six (pure), legacy-pkg (sdist only)."""
    store.upsert_project_page("NumPy", 10, None, numpy_page())
    store.upsert_project_page("six", 11, None, six_page())
    store.upsert_project_page("legacy_pkg", 12, None, legacy_page())
    store.add_to_watchlist(["numpy", "six"], "seed")
    store.record_probe(probe(status=Status.GIL_REENABLED, culprit="numpy._core._umath"))
    store.record_probe(probe("numpy", "2.4.6", "3.13t", Status.READY))
