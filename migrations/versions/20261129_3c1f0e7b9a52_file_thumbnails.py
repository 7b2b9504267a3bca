"""Files: a thumbnail's storage key (images and PDFs' first page)

Revision ID: 3c1f0e7b9a52
Revises: e5a3b2c4d6f7
Create Date: 2026-11-29 22:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c1f0e7b9a52"
down_revision: str | None = "e5a3b2c4d6f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("portal_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thumb_key", sa.String(length=320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("portal_file", schema=None) as batch_op:
        batch_op.drop_column("thumb_key")
