"""Users: reference 002's board-member fields (segments, admin_accepted, sso, unsubscribed)

Revision ID: d4f2a1b3c5e6
Revises: c3e1f0a9b2d4
Create Date: 2026-11-29 22:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision: str = "d4f2a1b3c5e6"
down_revision: str | None = "c3e1f0a9b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STRINGS = ["sso_uid", "sso_avatar_url", *[f"segment_{i}" for i in range(1, 11)]]
MONEY = ["segment_mrr", "segment_arr", "segment_ltv"]


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admin_accepted", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("verified", sa.Boolean(), nullable=True))
        for name in STRINGS:
            batch_op.add_column(sa.Column(name, sa.String(length=255), nullable=True))
        for name in MONEY:
            batch_op.add_column(sa.Column(name, sa.Numeric(16, 2), nullable=True))
        batch_op.add_column(
            sa.Column(
                "email_unsubscribed_at", portal.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("email_unsubscribed_at")
        for name in reversed(MONEY):
            batch_op.drop_column(name)
        for name in reversed(STRINGS):
            batch_op.drop_column(name)
        batch_op.drop_column("verified")
        batch_op.drop_column("admin_accepted")
