"""notification subjects, repeats and done

Revision ID: 7d47a61081c6
Revises: 21d6e70e703e
Create Date: 2026-11-29 18:17:49.101740
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import portal.models.base

revision: str = '7d47a61081c6'
down_revision: str | None = '21d6e70e703e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('repeats', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('done_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_notification_subject', ['subject_type', 'subject_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_subject')
        batch_op.drop_column('done_at')
        batch_op.drop_column('repeats')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('subject_type')
