"""throttle counters: sign-in throttling shared by every worker without Redis (red-team #8)

Revision ID: 425d9ee6606c
Revises: 8dafe280790d
Create Date: 2026-11-29 12:02:22.041677
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import portal.models.base

revision: str = '425d9ee6606c'
down_revision: str | None = '8dafe280790d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('throttle_counter',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('window_ends_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('throttle_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttle_counter_window_ends_at'), ['window_ends_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('throttle_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttle_counter_window_ends_at'))

    op.drop_table('throttle_counter')
