"""Results: metric_company_daily, a company's daily total of each metric (the rollup the
Results page sums; maintained at sync time), backfilled from metric_daily

Revision ID: c4e1a7d2b9f3
Revises: b242578e0bca
Create Date: 2026-11-29 22:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e1a7d2b9f3"
down_revision: str | None = "b242578e0bca"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "metric_company_daily",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("company_id", "day", "metric"),
    )
    op.execute(
        "INSERT INTO metric_company_daily (company_id, day, metric, value) "
        "SELECT company_id, day, metric, sum(value) FROM metric_daily "
        "GROUP BY company_id, day, metric"
    )


def downgrade() -> None:
    op.drop_table("metric_company_daily")
