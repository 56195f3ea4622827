"""Project documents and summaries, stored beside the history.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``project_documents`` (filled for every project on the next write, or by
    ``fttrack db rebuild-documents``; see :func:`tracker.store.document_rows.refresh_all`)."""
    op.create_table(
        "project_documents",
        sa.Column("project", sa.String(length=200), primary_key=True),
        sa.Column("revision", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    op.drop_table("project_documents")
