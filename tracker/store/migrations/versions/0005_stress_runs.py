"""Stress runs: a release's own tests in threads, a history beside the probe runs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``stress_runs`` (empty: nothing was stressed before)."""
    op.create_table(
        "stress_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "release_id",
            sa.Integer(),
            sa.ForeignKey("releases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("platform", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stressed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("block", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.UniqueConstraint(
            "release_id", "target", "platform", "stressed_at", name="uq_stress_runs_identity"
        ),
    )
    op.create_index("ix_stress_runs_release_id", "stress_runs", ["release_id"])
    op.create_index("ix_stress_runs_project", "stress_runs", ["project"])
    op.create_index(
        "ix_stress_runs_release_target_time",
        "stress_runs",
        ["release_id", "target", "stressed_at"],
    )


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    op.drop_table("stress_runs")
