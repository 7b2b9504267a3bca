"""invitations can be revoked: revoked_at (a revoked link answers "withdrawn")

Revision ID: 0b36b434befe
Revises: d935c3460a07
Create Date: 2026-11-29 15:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision: str = '0b36b434befe'
down_revision: str | None = 'd935c3460a07'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', portal.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
