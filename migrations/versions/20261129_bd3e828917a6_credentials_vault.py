"""credentials vault

Revision ID: bd3e828917a6
Revises: 06288a2bc380
Create Date: 2026-11-29 15:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import portal.models.base

revision: str = "bd3e828917a6"
down_revision: str | None = "06288a2bc380"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credential_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("permission_scope", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("icon", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("parent_field_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=True),
        sa.Column("secrets", sa.JSON(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["type_id"], ["credential_type.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["credential.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.create_index("ix_credential_company_name", ["company_id", "name"], unique=False)
        batch_op.create_index(batch_op.f("ix_credential_type_id"), ["type_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credential_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_credential_created_by_id"), ["created_by_id"], unique=False
        )
    # the audit log's filters: by action and date, by actor, by company and date
    with op.batch_alter_table("activitylog", schema=None) as batch_op:
        batch_op.create_index("ix_activitylog_created", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("activitylog", schema=None) as batch_op:
        batch_op.drop_index("ix_activitylog_created")
    with op.batch_alter_table("credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_credential_parent_id"))
        batch_op.drop_index(batch_op.f("ix_credential_type_id"))
        batch_op.drop_index("ix_credential_company_name")
    op.drop_table("credential")
    op.drop_table("credential_type")
