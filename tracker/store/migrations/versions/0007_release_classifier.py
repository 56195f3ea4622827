"""Releases: the Free Threading classifier level each probed release's metadata declares.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``releases.classifier`` (NULL: not read yet; the next crawl of the project
    reads it for the releases a probe judged; ``""``: read, no classifier)."""
    with op.batch_alter_table("releases") as batch:
        batch.add_column(sa.Column("classifier", sa.String(200), nullable=True))


def downgrade() -> None:
    """Remove what :func:`upgrade` added."""
    with op.batch_alter_table("releases") as batch:
        batch.drop_column("classifier")
