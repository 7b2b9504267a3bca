"""Feedback: user groups of a board (reference 002's /groups) and their members

Revision ID: c3e1f0a9b2d4
Revises: c4e1a7d2b9f3
Create Date: 2026-11-29 21:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision: str = "c3e1f0a9b2d4"
down_revision: str | None = "c4e1a7d2b9f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", "name", name="uq_feedback_group_name"),
    )
    with op.batch_alter_table("feedback_group", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_group_company_id"), ["company_id"], unique=False
        )
    op.create_table(
        "feedback_group_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["feedback_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "user_id", name="uq_feedback_group_member_user"),
    )
    with op.batch_alter_table("feedback_group_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_group_member_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feedback_group_member_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_group_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_group_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_group_member_company_id"))
    op.drop_table("feedback_group_member")
    with op.batch_alter_table("feedback_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_group_company_id"))
    op.drop_table("feedback_group")
