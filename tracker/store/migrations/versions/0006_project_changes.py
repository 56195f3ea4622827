"""A project's changes and flagged claim checks, stored beside its summary.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``project_documents.changes`` (NULL until the project's next write; readers
    compute the changes of a row without them from its document)."""
    op.add_column("project_documents", sa.Column("changes", sa.Text(), nullable=True))


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    op.drop_column("project_documents", "changes")
