"""Feedback: comment upvotes (one per user per comment) and a comment's vote count

Revision ID: 7a5f4a80b9f2
Revises: 234ebb9acb74
Create Date: 2026-11-29 19:57:10.761240
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision: str = "7a5f4a80b9f2"
down_revision: str | None = "234ebb9acb74"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_comment_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["feedback_comment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("comment_id", "user_id", name="uq_feedback_comment_vote_user"),
    )
    with op.batch_alter_table("feedback_comment_vote", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_comment_vote_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feedback_comment_vote_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("feedback_comment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("vote_count", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_comment", schema=None) as batch_op:
        batch_op.drop_column("vote_count")

    with op.batch_alter_table("feedback_comment_vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_comment_vote_user_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_comment_vote_company_id"))

    op.drop_table("feedback_comment_vote")
