"""Projects: the dependencies their newest release declares (Requires-Dist names).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``projects.requires`` (null until the next crawl reads the metadata)."""
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("requires", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("requires")
