"""Probe runs: the distributions a probe installed, and an index for latest-probe look-ups.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``probe_runs.installed`` (old rows get ``[]``) and a (release, target, time) index."""
    with op.batch_alter_table("probe_runs") as batch:
        batch.add_column(
            sa.Column("installed", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    op.create_index(
        "ix_probe_runs_release_target_time", "probe_runs", ["release_id", "target", "probed_at"]
    )


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    op.drop_index("ix_probe_runs_release_target_time", table_name="probe_runs")
    with op.batch_alter_table("probe_runs") as batch:
        batch.drop_column("installed")
