"""Open the database: URL normalisation, engine, migrations, sessions.

The same code runs on SQLite (the default, in WAL mode) and PostgreSQL
(through psycopg 3). :func:`open_store` creates a new database by running the
Alembic migrations to head and seeding it from the shipped snapshot; an
existing database is upgraded in place.

>>> normalize_db_url("postgresql://u@h/db")
'postgresql+psycopg://u@h/db'
>>> normalize_db_url("sqlite:///tmp/x.db")
'sqlite:///tmp/x.db'
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, col

from tracker.documents import (
    TARGET_NAMES,
    DocumentError,
    ProjectDocument,
    ProjectSummary,
    ReleaseDetail,
    decode_document,
    decode_summaries,
    decode_summary,
)
from tracker.errors import FttrackError, StoreError
from tracker.models import Evidence, ProbeJob, ProbeResult, Status
from tracker.names import normalize_name
from tracker.store import queries
from tracker.store.damaged import DamagedRow, DamagedRowError, check_row, split_decodable
from tracker.store.document_rows import iso, refresh_all, release_detail
from tracker.store.queries import PageFile, UpsertResult
from tracker.store.tables import File, ProbeRun, Project, ProjectDocumentRow, Release, StressRun
from tracker.stress.result import StressResult

if TYPE_CHECKING:
    from alembic.config import Config

    from tracker.store.importer import ImportResult

_IMMEDIATE = "fttrack_sqlite_immediate"

__all__ = [
    "HEAD_REVISION",
    "Store",
    "current_revision",
    "head_revision",
    "make_engine",
    "migrate",
    "normalize_db_url",
    "open_store",
]

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 0x66747472  # "fttr": serialises concurrent migrations on PostgreSQL


def normalize_db_url(url: str) -> str:
    """Rewrite ``postgresql://`` and ``postgres://`` URLs to the psycopg 3 driver."""
    text = url.strip()
    for prefix in ("postgresql://", "postgres://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix) :]
    return text


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` (SQLite: WAL, foreign keys, busy timeout)."""
    normalized = normalize_db_url(url)
    try:
        parsed = make_url(normalized)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!r}") from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 300}
        if database in ("", ":memory:"):
            kwargs["poolclass"] = StaticPool
        else:
            _check_directory(Path(database).expanduser())
    elif parsed.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
    else:
        raise StoreError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
        )
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use database {url!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _check_directory(database: Path) -> None:
    """Make the directory of fttrack's own data (the configured ``data_dir``) when it is
    missing; refuse any other missing directory in one line (a mistyped ``--db`` path
    is not a reason to create directories)."""
    parent = database.parent
    if parent.is_dir():
        return
    from tracker.config import load_settings

    try:
        own = load_settings().data_dir
    except FttrackError:  # a damaged config file is said by whoever reads it
        own = None
    if own is None or os.path.abspath(parent) != os.path.abspath(own):
        raise StoreError(f"{database}: no such directory {parent} (fttrack creates only its own)")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{database}: cannot create its directory: {exc}") from None


def _sqlite_begin(connection: Connection) -> None:
    """Start SQLite transactions ourselves: ``BEGIN IMMEDIATE`` for writers.

    A deferred transaction that reads first and writes later cannot wait for
    another writer (SQLite answers "database is locked" at once, whatever the
    busy timeout); taking the write lock up front makes writers queue instead.
    """
    immediate = connection.get_execution_options().get(_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=300000")
    finally:
        cursor.close()
    dbapi_connection.isolation_level = None  # transactions begin in _sqlite_begin


#: The newest migration (``migrations/versions``); a new migration changes it, and
#: ``tests/store/test_engine.py`` checks it against alembic's own reading. A database
#: already there is opened without loading alembic (a third of a second).
HEAD_REVISION = "0007"


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration revision shipped with this version of fttrack, as alembic
    reads the migrations (:data:`HEAD_REVISION` says the same without alembic)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database fttrack never migrated."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        found = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        return None if found is None else str(found)


def migrate(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the database to ``revision``; returns the revision it was at before.

    Idempotent, and safe when several processes open a new database at once:
    on SQLite a file lock beside the database lets one process migrate at a
    time (inside a ``BEGIN IMMEDIATE`` transaction), on PostgreSQL an advisory
    lock does. A database still busy with another writer is retried a few
    times. Errors carry the database's own words, never SQL.
    """
    from alembic.util import CommandError

    from tracker.store.migration_lock import sqlite_migration_lock

    lock = (
        sqlite_migration_lock(engine.url.database or "")
        if engine.dialect.name == "sqlite"
        else contextlib.nullcontext()
    )
    with lock:
        for attempt in range(_MIGRATE_ATTEMPTS):
            started = time.monotonic()
            try:
                return _migrate_once(engine, revision)
            except OperationalError as exc:
                if not _worth_retrying(started, attempt):  # busy, deadlock: retried
                    raise StoreError(f"cannot migrate the database: {_db_words(exc)}") from None
                log.warning("migration: %s; retrying", _db_words(exc))
                time.sleep(0.2 * 2**attempt)
            except SQLAlchemyError as exc:
                raise StoreError(f"cannot migrate the database: {_db_words(exc)}") from None
            except CommandError as exc:  # e.g. a revision this fttrack does not know
                raise StoreError(
                    f"cannot migrate the database: {_first_line(exc)} (written by a newer fttrack?)"
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


_MIGRATE_ATTEMPTS = 5
_RETRY_ONLY_WITHIN = 10.0  # seconds


def _worth_retrying(started: float, attempt: int) -> bool:
    """Whether a busy-database error of attempt ``attempt`` (0-based, begun at
    ``started``) is worth another one: it failed at once and attempts are left.
    A lock wait that timed out (the busy timeout ran out) is final."""
    return attempt + 1 < _MIGRATE_ATTEMPTS and time.monotonic() - started <= _RETRY_ONLY_WITHIN


def _migrate_once(engine: Engine, revision: str) -> str | None:
    bind = engine.execution_options(**{_IMMEDIATE: True})  # SQLite: take the write lock first
    with bind.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(_alembic_config(connection), revision)
        return before


def _db_words(exc: SQLAlchemyError) -> str:
    """The first line of what the database said (no SQL, no parameters)."""
    inner = getattr(exc, "orig", None)
    return _first_line(inner if isinstance(inner, BaseException) else exc)


class Store:
    """An open database: an engine and a way to run one transaction.

    Writes go through :meth:`session_scope`, one transaction per project, so
    a killed process never leaves half a release behind.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session_scope(self, *, write: bool = False) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error.

        ``write=True`` takes SQLite's write lock when the transaction begins, so
        concurrent writers (threads or processes) wait for each other instead
        of failing; on PostgreSQL it changes nothing.
        """
        bind = self.engine.execution_options(**{_IMMEDIATE: True}) if write else self.engine
        session = Session(bind, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # One transaction per call: the crawler, the prober and the API use these.

    def upsert_project_page(
        self,
        name: str,
        serial: int | str | None,
        etag: str | None,
        files: Iterable[PageFile | Sequence[Any]],
        *,
        display_name: str | None = None,
        classifier: str | None = None,
        requires: list[str] | None = None,
        release_classifiers: Mapping[str, str] | None = None,
    ) -> UpsertResult:
        """Store one project's index page in one transaction (see ``upsert_project_page``)."""
        with self.session_scope(write=True) as session:
            return queries.upsert_project_page(
                session=session,
                name=name,
                serial=serial,
                etag=etag,
                files=files,
                display_name=display_name,
                classifier=classifier,
                requires=requires,
                release_classifiers=release_classifiers,
            )

    def unread_classifiers(self, name: str) -> list[str]:
        """The versions of ``name`` a probe judged whose classifier is not read yet."""
        with self.session_scope() as session:
            return queries.unread_classifiers(name, session=session)

    def probed_since_crawled(self) -> set[str]:
        """The projects a probe judged since their page was last stored, with a release
        whose classifier is not read yet (:func:`queries.probed_since_crawled`)."""
        with self.session_scope() as session:
            return queries.probed_since_crawled(session=session)

    def record_probe(self, result: ProbeResult) -> bool:
        """Add a probe result to the history in one transaction; False if already stored."""
        with self.session_scope(write=True) as session:
            return queries.record_probe(result, session=session)

    def record_probe_when(
        self, claim: Callable[[Session], bool], result: ProbeResult | None
    ) -> bool:
        """In one transaction: ``claim(session)`` (a write to another part's own rows,
        e.g. the queue marking a job failed), then, when it held, ``result`` added to the
        history. Whether the claim held (nothing is recorded otherwise)."""
        with self.session_scope() as session:
            if not claim(session):
                return False
            if result is not None:
                queries.record_probe(result, session=session)
        return True

    def record_stress(self, result: StressResult) -> bool:
        """Add a stress result to the stress history in one transaction; False if already
        stored. The import verdict is left as it is."""
        with self.session_scope(write=True) as session:
            return queries.record_stress(result, session=session)

    def stress_candidates(
        self,
        targets: Iterable[str],
        *,
        names: Iterable[str] | None = None,
        again: Iterable[str] = (),
    ) -> list[ProbeJob]:
        """(current release, target) pairs to stress: the project's current release was
        itself probed ``ready`` on the target (not inferred) and has no stress result
        there yet, or one whose status is in ``again``. Of ``names`` only, when given;
        by name."""
        wanted = None if names is None else {normalize_name(n) for n in names}
        rerun = frozenset(again)
        jobs: list[ProbeJob] = []
        for summary in self.summaries():
            if summary.version is None or (wanted is not None and summary.name not in wanted):
                continue
            for target in targets:
                cell = summary.cell(target)
                if (
                    cell.status is Status.READY
                    and cell.evidence is Evidence.PROBE
                    and (cell.stress is None or cell.stress.status in rerun)
                ):
                    jobs.append(ProbeJob(summary.name, summary.version, target))
        return jobs

    def add_to_watchlist(self, names: Iterable[str], reason: str) -> list[str]:
        """Watch ``names`` (reason ``seed``, ``audit`` or ``manual``); returns the new ones."""
        with self.session_scope(write=True) as session:
            return queries.add_to_watchlist(names, reason, session=session)

    def watchlist(self) -> list[tuple[str, str]]:
        """Every watched project as (normalised name, reason)."""
        with self.session_scope() as session:
            return [(w.project, w.reason) for w in queries.watchlist(session=session)]

    def project_state(self, name: str) -> tuple[int | None, str | None] | None:
        """``(last_serial, etag)`` of a crawled project, or None."""
        with self.session_scope() as session:
            return queries.project_state(name, session=session)

    def import_feed(
        self,
        documents: Iterable[ProjectDocument],
        *,
        generated: str | None = None,
        source: str = "feed",
        progress: Callable[[int], None] | None = None,
    ) -> ImportResult:
        """Import project documents in one transaction (idempotent)."""
        from tracker.store.importer import import_feed

        with self.session_scope(write=True) as session:
            return import_feed(
                documents, session=session, generated=generated, source=source, progress=progress
            )

    def seed(
        self, path: Path | None = None, *, progress: Callable[[int, int], None] | None = None
    ) -> ImportResult | None:
        """Import a snapshot (the shipped one by default) in one transaction; None when
        there is no snapshot file. ``progress(done, total)`` follows it project by project."""
        from tracker.archive import Archive
        from tracker.datafiles import snapshot_path

        source = path or snapshot_path()
        if not source.is_file():
            log.info("no snapshot at %s: starting with an empty database", source)
            return None
        archive = Archive(source)
        total = len(archive.names())
        log.info("seeding %d projects from the snapshot %s…", total, source.name)
        started = time.monotonic()
        result = self.import_feed(
            archive.documents(),
            generated=archive.generated,
            source=source.name,
            progress=None if progress is None else (lambda done: progress(done, total)),
        )
        log.info(
            "seeded %d projects (%d releases, %d probes) in %.1f s",
            result.projects,
            result.releases,
            result.probe_runs,
            time.monotonic() - started,
        )
        return result

    def release_detail(self, name: str, version: str) -> ReleaseDetail | None:
        """One release with its files, verdicts and every probe run (see
        :func:`tracker.store.document_rows.release_detail`), or None if unknown."""
        with self.session_scope() as session:
            return release_detail(name, version, session=session)

    def project_json(self, name: str) -> bytes | None:
        """The stored document of ``name`` (normalized) as JSON, or None."""
        with self.session_scope() as session:
            row = session.get(ProjectDocumentRow, name)
            return None if row is None else row.document.encode()

    def project_document(self, name: str) -> ProjectDocument | None:
        """The stored document of ``name`` (normalized), or None; :class:`DamagedRowError`
        when the stored row does not decode."""
        data = self.project_json(name)
        if data is None:
            return None
        document, damaged = check_row(name, "document", data, decode_document)
        if damaged is not None:
            raise DamagedRowError(damaged)
        return document

    def summary_revisions(self) -> dict[str, int]:
        """Every stored summary's project and revision (the feed's change marker)."""
        with self.session_scope() as session:
            rows = session.execute(
                sa.select(col(ProjectDocumentRow.project), col(ProjectDocumentRow.revision))
            ).all()
        return {str(name): int(revision) for name, revision in rows}

    def summary_json(self, names: Iterable[str] | None = None) -> dict[str, bytes]:
        """The stored summaries as JSON, of ``names`` or of every project."""
        query = sa.select(col(ProjectDocumentRow.project), col(ProjectDocumentRow.summary))
        wanted = None if names is None else sorted(set(names))
        found: dict[str, bytes] = {}
        with self.session_scope() as session:
            if wanted is None:
                batches: list[list[str] | None] = [None]
            else:
                batches = [wanted[i : i + 500] for i in range(0, len(wanted), 500)]
            for batch in batches:
                scoped = (
                    query
                    if batch is None
                    else query.where(col(ProjectDocumentRow.project).in_(batch))
                )
                for name, summary in session.execute(scoped).all():
                    found[str(name)] = summary.encode()
        return found

    def summaries(self) -> list[ProjectSummary]:
        """Every stored summary that decodes, by name (a damaged row is logged and skipped:
        :meth:`checked_summaries` names them)."""
        return self.checked_summaries()[0]

    def checked_summaries(self) -> tuple[list[ProjectSummary], list[DamagedRow]]:
        """Every stored summary that decodes, by name, and the rows that do not."""
        data = self.summary_json()
        try:  # one decode of them all; row by row only when one of them is damaged
            return decode_summaries(b"[" + b",".join(data[n] for n in sorted(data)) + b"]"), []
        except DocumentError:
            return split_decodable(data, decode_summary)

    def documents(
        self,
        names: Iterable[str] | None = None,
        *,
        damaged: list[DamagedRow] | None = None,
    ) -> Iterator[ProjectDocument]:
        """Stored documents by name (all, or ``names`` in any spelling), decoded a batch
        at a time. A damaged row is logged, added to ``damaged`` and skipped."""
        for name, body in self.document_json(names):
            document, problem = check_row(name, "document", body, decode_document)
            if problem is not None:
                if damaged is not None:
                    damaged.append(problem)
                continue
            assert document is not None
            yield document

    def document_json(self, names: Iterable[str] | None = None) -> Iterator[tuple[str, bytes]]:
        """(name, stored document JSON) by name (all, or ``names``), read a batch at a time."""
        if names is None:
            wanted = sorted(self.summary_revisions())
        else:
            wanted = sorted({normalize_name(n) for n in names})
        for start in range(0, len(wanted), 200):
            batch = wanted[start : start + 200]
            with self.session_scope() as session:
                query = sa.select(
                    col(ProjectDocumentRow.project), col(ProjectDocumentRow.document)
                ).where(col(ProjectDocumentRow.project).in_(batch))
                rows = session.execute(query).all()
            by_name = {str(name): body for name, body in rows}
            for name in batch:
                if name in by_name:
                    yield name, by_name[name].encode()

    def project_requires(self, names: Iterable[str]) -> dict[str, list[str]]:
        """The dependency names each project's newest release declares ([] when not read)."""
        wanted = sorted(set(names))
        found: dict[str, list[str]] = {name: [] for name in wanted}
        with self.session_scope() as session:
            for start in range(0, len(wanted), 500):
                query = sa.select(col(Project.name), col(Project.requires)).where(
                    col(Project.name).in_(wanted[start : start + 500])
                )
                for name, requires in session.execute(query).all():
                    found[str(name)] = list(requires or [])
        return found

    def probed_targets(self) -> tuple[str, ...]:
        """Targets with at least one probe run, oldest target first."""
        with self.session_scope() as session:
            query = sa.select(col(ProbeRun.target)).distinct()
            found = {str(t) for t in session.execute(query).scalars()}
        return tuple(t for t in TARGET_NAMES if t in found)

    def last_crawl(self) -> datetime | None:
        """When a project was last crawled (None: never)."""
        with self.session_scope() as session:
            last: datetime | None = session.execute(
                sa.select(sa.func.max(col(Project.last_crawled)))
            ).scalar_one()
        return last

    def project_count(self) -> int:
        """How many projects the store holds."""
        with self.session_scope() as session:
            return int(
                session.execute(sa.select(sa.func.count()).select_from(Project)).scalar_one()
            )

    def last_crawl_iso(self) -> str | None:
        """When a project was last crawled, as ISO-8601 UTC text with a ``Z`` (None: never)."""
        return iso(self.last_crawl())

    def change_marker(self) -> tuple[object, ...]:
        """A cheap value that moves whenever anything a document shows changes (one
        aggregate query: caches ask it before reading any summary)."""
        with self.session_scope() as session:
            return queries.fingerprint(session=session)

    def release_wheel_sizes(
        self, names: Iterable[str], targets: Iterable[str], platform: str
    ) -> dict[tuple[str, str], dict[str, int]]:
        """(project, version) -> target -> the size of the largest free-threaded wheel
        for ``platform``, for every release of ``names`` with stored files (a release
        whose files hold no such wheel maps to ``{}``)."""
        wanted, targets = sorted(set(names)), list(targets)
        sizes: dict[tuple[str, str], dict[str, int]] = {}
        with self.session_scope() as session:
            for start in range(0, len(wanted), 500):
                query = (
                    sa.select(
                        col(Project.name), col(Release.version), col(File.size),
                        col(File.targets), col(File.platforms),
                    )
                    .join(Release, col(File.release_id) == col(Release.id))
                    .join(Project, col(Release.project_id) == col(Project.id))
                    .where(col(Project.name).in_(wanted[start : start + 500]))
                )  # fmt: skip
                for name, version, size, file_targets, platforms in session.execute(query).all():
                    by_target = sizes.setdefault((name, version), {})
                    if platform not in platforms:
                        continue
                    for target in targets:
                        if target in file_targets:
                            by_target[target] = max(by_target.get(target, 0), size or 0)
        return sizes

    def newest_probe_at(self, job: ProbeJob) -> datetime | None:
        """When the newest probe of ``job``'s release and target in the history was
        taken (None: never probed)."""
        return self._newest(ProbeRun, col(ProbeRun.probed_at), job)

    def newest_stress_at(self, job: ProbeJob) -> datetime | None:
        """When the newest stress run of ``job``'s release and target was taken (None: none)."""
        return self._newest(StressRun, col(StressRun.stressed_at), job)

    def _newest(self, table: Any, column: Any, job: ProbeJob) -> datetime | None:
        query = sa.select(sa.func.max(column)).where(
            col(table.project) == normalize_name(job.project),
            col(table.version) == job.version,
            col(table.target) == job.target,
        )
        with self.session_scope() as session:
            newest = session.execute(query).scalar()
        return newest if isinstance(newest, datetime) else None

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_store(db_url: str, *, seed: bool = True, snapshot: Path | None = None) -> Store:
    """Open (creating or upgrading as needed) the database at ``db_url``.

    A database without fttrack's tables is migrated to head and, when
    ``seed`` is true and it holds no project, filled from the shipped snapshot (``snapshot`` or
    :func:`tracker.datafiles.snapshot_path`); a missing snapshot leaves it empty.
    """
    engine = make_engine(db_url)
    for attempt in range(_MIGRATE_ATTEMPTS):
        started = time.monotonic()
        try:
            revision = current_revision(engine)  # can it be opened at all?
            break
        except SQLAlchemyError as exc:
            # A new SQLite file another process is making a WAL database can answer
            # "database is locked" at once, whatever the busy timeout.
            locked = isinstance(exc, OperationalError) and "locked" in str(exc)
            if not (locked and _worth_retrying(started, attempt)):
                engine.dispose()
                raise StoreError(
                    f"cannot open the database {_safe(db_url)}: {_db_words(exc)}"
                ) from None
            time.sleep(0.2 * 2**attempt)
    try:
        # under the migration lock: one process creates
        brand_new = revision != HEAD_REVISION and migrate(engine) is None
    except StoreError:
        engine.dispose()
        raise
    store = Store(engine)
    if not brand_new:
        with store.session_scope(write=True) as session:
            refresh_all(session=session)  # documents missing after an upgrade
    if seed and store.project_count() == 0:
        store.seed(snapshot)
    return store


def _safe(url: str) -> str:
    try:
        return make_url(normalize_db_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
