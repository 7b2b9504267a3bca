"""portal templates tools and links

Revision ID: d935c3460a07
Revises: 11087ca893d2
Create Date: 2026-11-29 15:02:57.178820
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import portal.models.base

revision: str = "d935c3460a07"
down_revision: str | None = "11087ca893d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guide",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "portal_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("welcome_message", sa.Text(), nullable=False),
        sa.Column("task_lists", sa.JSON(), nullable=False),
        sa.Column("tools", sa.JSON(), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "guide_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guide_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["guide_id"], ["guide.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("guide_id", "company_id"),
    )
    with op.batch_alter_table("guide_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guide_assignment_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_guide_assignment_guide_id"), ["guide_id"], unique=False
        )

    op.create_table(
        "tool_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tool_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tool_link_company_id"), ["company_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tool_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tool_link_company_id"))

    op.drop_table("tool_link")
    with op.batch_alter_table("guide_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guide_assignment_guide_id"))
        batch_op.drop_index(batch_op.f("ix_guide_assignment_company_id"))

    op.drop_table("guide_assignment")
    op.drop_table("portal_template")
    op.drop_table("guide")
