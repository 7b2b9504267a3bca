"""company client nodes

Revision ID: 485c21b98f99
Revises: edb76bcd67e9
Create Date: 2026-11-29 12:28:37.460909
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '485c21b98f99'
down_revision: str | None = 'edb76bcd67e9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN: batch mode would rebuild "company" on SQLite, and dropping the old
    # table there cascades into every portal row (and its files, tasks, …)
    op.add_column(
        "company",
        sa.Column("client_nodes", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )


def downgrade() -> None:
    op.drop_column("company", "client_nodes")  # SQLite >= 3.35 drops in place, like upgrade
