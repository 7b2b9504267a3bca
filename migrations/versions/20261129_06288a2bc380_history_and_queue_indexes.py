"""indexes for one object's history and the open-deliverables queue

Revision ID: 06288a2bc380
Revises: da253b9bd6c4
Create Date: 2026-11-29 15:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "06288a2bc380"
down_revision: str | None = "da253b9bd6c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_activitylog_object", "activitylog", ["object_id", "object_type", "created_at"]
    )
    op.create_index(
        "ix_deliverable_open_updated",
        "deliverable",
        ["updated_at"],
        postgresql_where=sa.text("status <> 'approved'"),
        sqlite_where=sa.text("status <> 'approved'"),
    )


def downgrade() -> None:
    op.drop_index("ix_deliverable_open_updated", table_name="deliverable")
    op.drop_index("ix_activitylog_object", table_name="activitylog")
