"""proposals

Revision ID: 2da34b12826d
Revises: 83182e510f28
Create Date: 2026-11-29 18:22:03.907820
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import portal.models.base

revision: str = "2da34b12826d"
down_revision: str | None = "83182e510f28"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunity.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposal_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proposal_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposal_invoice_id"), ["invoice_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proposal_opportunity_id"), ["opportunity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposal_status"), ["status"], unique=False)

    op.create_table(
        "proposal_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("shared_by_id", sa.Integer(), nullable=True),
        sa.Column("shared_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decline_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("decided_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["shared_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", "number", name="uq_proposal_version"),
    )
    with op.batch_alter_table("proposal_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_version_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposal_version_decided_by_id"), ["decided_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposal_version_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposal_version_shared_by_id"), ["shared_by_id"], unique=False
        )

    op.create_table(
        "proposal_acceptance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("proposal_title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("total", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("typed_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("consent", sa.Text(), nullable=False),
        sa.Column("accepted_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ip_address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_agent", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["version_id"], ["proposal_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proposal_id", name="uq_proposal_acceptance_proposal"),
    )
    with op.batch_alter_table("proposal_acceptance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposal_acceptance_company_id"), ["company_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("proposal_acceptance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_acceptance_company_id"))

    op.drop_table("proposal_acceptance")
    with op.batch_alter_table("proposal_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_version_shared_by_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_version_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_version_decided_by_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_version_company_id"))

    op.drop_table("proposal_version")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_status"))
        batch_op.drop_index(batch_op.f("ix_proposal_opportunity_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_created_at"))
        batch_op.drop_index(batch_op.f("ix_proposal_company_id"))

    op.drop_table("proposal")
