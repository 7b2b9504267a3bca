"""Feedback: a full-text index for "similar ideas" while typing (PostgreSQL only)

Revision ID: 7c166fc4db20
Revises: dbd1ac3479a0
Create Date: 2026-11-29 12:36:29.362410
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = '7c166fc4db20'
down_revision: str | None = 'dbd1ac3479a0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The expression services/feedback/board.py searches (duplicates while typing). PostgreSQL
# only: SQLite has no full-text index of this kind and searches with LIKE instead.
DOCUMENT = "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, ''))"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_feedback_post_search ON feedback_post USING gin ({DOCUMENT})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_feedback_post_search")
