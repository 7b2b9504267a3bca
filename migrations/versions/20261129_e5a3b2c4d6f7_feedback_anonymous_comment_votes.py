"""Feedback: anonymous comment votes (reference 002's anonymous votes on comments)

Revision ID: e5a3b2c4d6f7
Revises: d4f2a1b3c5e6
Create Date: 2026-11-29 22:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5a3b2c4d6f7"
down_revision: str | None = "d4f2a1b3c5e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_comment_vote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymous_id", sa.String(length=64), nullable=True))
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint(
            "uq_feedback_comment_vote_anonymous", ["comment_id", "anonymous_id"]
        )


def downgrade() -> None:
    # the anonymous votes go, and the counts they made with them
    op.execute(
        "UPDATE feedback_comment SET vote_count = vote_count - (SELECT COUNT(*) FROM "
        "feedback_comment_vote v WHERE v.comment_id = feedback_comment.id AND v.user_id IS NULL)"
    )
    op.execute("DELETE FROM feedback_comment_vote WHERE user_id IS NULL")
    with op.batch_alter_table("feedback_comment_vote", schema=None) as batch_op:
        batch_op.drop_constraint("uq_feedback_comment_vote_anonymous", type_="unique")
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("anonymous_id")
