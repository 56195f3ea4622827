"""The database tables (SQLModel ``table=True`` classes only).

Names are stored normalised (PEP 503). Times are UTC. Probe runs are history:
a row is added per probe and never updated. The schema itself is owned by the
Alembic migrations in ``tracker/store/migrations``; a test checks that these
classes and the migrations agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = [
    "File",
    "ProbeRun",
    "Project",
    "ProjectDocumentRow",
    "Release",
    "StressRun",
    "WatchEntry",
    "metadata",
]

metadata = SQLModel.metadata


class Project(SQLModel, table=True):
    """One project on the index, as last crawled."""

    __tablename__ = "projects"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True, index=True)
    display_name: str = Field(max_length=200)
    last_serial: int | None = Field(default=None, sa_type=BigInteger)
    etag: str | None = Field(default=None, max_length=300)
    classifier: str | None = Field(default=None, max_length=200)
    last_crawled: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revision: int = Field(default=0, sa_type=BigInteger)
    #: Normalised names the newest release requires (no extras); None: not read yet.
    requires: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class WatchEntry(SQLModel, table=True):
    """A project fttrack keeps crawling, and why it was added."""

    __tablename__ = "watchlist"

    project: str = Field(primary_key=True, max_length=200)
    reason: str = Field(max_length=20)
    added_at: datetime = Field(sa_type=DateTime(timezone=True))


class Release(SQLModel, table=True):
    """One version of a project."""

    __tablename__ = "releases"
    __table_args__ = (
        UniqueConstraint("project_id", "version", name="uq_releases_project_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="projects.id", index=True, ondelete="CASCADE")
    version: str = Field(max_length=100)
    yanked: bool = False
    uploaded: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    #: Tags verdicts imported from a feed for releases whose files are not stored.
    tags: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    #: The Free Threading classifier's support level this release's own metadata declares
    #: (``2 - Beta``; ``""``: none), read for probed releases; None: not read yet.
    classifier: str | None = Field(default=None, max_length=200)


class File(SQLModel, table=True):
    """One distribution file of a release, classified by :func:`tracker.wheels.classify_file`."""

    __tablename__ = "files"
    __table_args__ = (UniqueConstraint("release_id", "filename", name="uq_files_release_filename"),)

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="releases.id", index=True, ondelete="CASCADE")
    filename: str = Field(max_length=400)
    kind: str = Field(max_length=10)
    targets: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    platforms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pure: bool = False
    gil_only: bool = False
    abi3t: bool = False
    yanked: bool = False
    size: int | None = Field(default=None, sa_type=BigInteger)
    uploaded: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class ProbeRun(SQLModel, table=True):
    """One probe of (release, target, platform). Never updated: this is the history."""

    __tablename__ = "probe_runs"
    __table_args__ = (
        UniqueConstraint(
            "release_id", "target", "platform", "probed_at", name="uq_probe_runs_identity"
        ),
        Index("ix_probe_runs_release_target_time", "release_id", "target", "probed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="releases.id", index=True, ondelete="CASCADE")
    project: str = Field(max_length=200, index=True)
    version: str = Field(max_length=100)
    target: str = Field(max_length=10)
    platform: str = Field(max_length=60)
    status: str = Field(max_length=20)
    culprits: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    modules: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    interpreter: str = Field(default="", max_length=100)
    sandbox: str = Field(default="", max_length=40)
    timings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    stderr_tail: str = Field(default="", sa_type=Text)
    detail: str = Field(default="", sa_type=Text)
    probed_at: datetime = Field(sa_type=DateTime(timezone=True))
    installed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class StressRun(SQLModel, table=True):
    """One stress run of (release, target, platform): its own tests in threads
    (docs/stress.md). Never updated: this is the stress history, beside the probes'."""

    __tablename__ = "stress_runs"
    __table_args__ = (
        UniqueConstraint(
            "release_id", "target", "platform", "stressed_at", name="uq_stress_runs_identity"
        ),
        Index("ix_stress_runs_release_target_time", "release_id", "target", "stressed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="releases.id", index=True, ondelete="CASCADE")
    project: str = Field(max_length=200, index=True)
    version: str = Field(max_length=100)
    target: str = Field(max_length=10)
    platform: str = Field(max_length=60)
    status: str = Field(max_length=20)
    stressed_at: datetime = Field(sa_type=DateTime(timezone=True))
    #: The document form (:class:`tracker.stress.result.StressBlock`) as JSON.
    block: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: The whole result (failures with their stacks, what was installed); ``{}`` for a run
    #: imported from a document, which carries only the block.
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ProjectDocumentRow(SQLModel, table=True):
    """A project's document and summary as JSON, rewritten in the same transaction as
    every write that changes them, so reads never rebuild them from the history."""

    __tablename__ = "project_documents"

    project: str = Field(primary_key=True, max_length=200)
    #: The project's revision the row was built from (the feed's change marker).
    revision: int = Field(default=0, sa_type=BigInteger)
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
    summary: str = Field(sa_type=Text)
    document: str = Field(sa_type=Text)
    #: The project's changes and flagged claim checks (:class:`~tracker.documents.ProjectChanges`
    #: as JSON), computed with the summary; None in rows written before they were.
    changes: str | None = Field(default=None, sa_type=Text, nullable=True)
