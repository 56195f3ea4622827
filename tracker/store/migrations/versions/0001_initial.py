"""Initial schema: projects, watch list, releases, files, probe runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the first tables."""
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("last_serial", sa.BigInteger(), nullable=True),
        sa.Column("etag", sa.String(300), nullable=True),
        sa.Column("classifier", sa.String(200), nullable=True),
        sa.Column("last_crawled", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_projects_name", "projects", ["name"], unique=True)
    op.create_table(
        "watchlist",
        sa.Column("project", sa.String(200), primary_key=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("yanked", sa.Boolean(), nullable=False),
        sa.Column("uploaded", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.UniqueConstraint("project_id", "version", name="uq_releases_project_version"),
    )
    op.create_index("ix_releases_project_id", "releases", ["project_id"])
    op.create_table(
        "files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "release_id",
            sa.Integer(),
            sa.ForeignKey("releases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("filename", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("platforms", sa.JSON(), nullable=False),
        sa.Column("pure", sa.Boolean(), nullable=False),
        sa.Column("gil_only", sa.Boolean(), nullable=False),
        sa.Column("abi3t", sa.Boolean(), nullable=False),
        sa.Column("yanked", sa.Boolean(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("uploaded", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("release_id", "filename", name="uq_files_release_filename"),
    )
    op.create_index("ix_files_release_id", "files", ["release_id"])
    op.create_table(
        "probe_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "release_id",
            sa.Integer(),
            sa.ForeignKey("releases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("target", sa.String(10), nullable=False),
        sa.Column("platform", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("culprits", sa.JSON(), nullable=False),
        sa.Column("modules", sa.JSON(), nullable=False),
        sa.Column("interpreter", sa.String(100), nullable=False),
        sa.Column("sandbox", sa.String(40), nullable=False),
        sa.Column("timings", sa.JSON(), nullable=False),
        sa.Column("stderr_tail", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("probed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "release_id", "target", "platform", "probed_at", name="uq_probe_runs_identity"
        ),
    )
    op.create_index("ix_probe_runs_release_id", "probe_runs", ["release_id"])
    op.create_index("ix_probe_runs_project", "probe_runs", ["project"])


def downgrade() -> None:
    """Drop every table."""
    for table in ("probe_runs", "files", "releases", "watchlist", "projects"):
        op.drop_table(table)
