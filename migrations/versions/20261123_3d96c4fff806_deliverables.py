"""deliverables: categories, settings, deliverables, versions and approval receipts

Revision ID: 3d96c4fff806
Revises: c401ea129a48
Create Date: 2026-11-23 18:00:03.253469
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import portal.models.base

revision: str = '3d96c4fff806'
down_revision: str | None = 'c401ea129a48'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('deliverablecategory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('revisions_allowed', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deliverablecategory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliverablecategory_slug'), ['slug'], unique=True)

    op.create_table('deliverablesettings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('default_revisions_allowed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('deliverable',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('linked', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('require_approval', sa.Boolean(), nullable=False),
    sa.Column('internal_gate', sa.Boolean(), nullable=False),
    sa.Column('revisions_allowed', sa.Integer(), nullable=False),
    sa.Column('revisions_used', sa.Integer(), nullable=False),
    sa.Column('revision_note', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('visible_version', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', portal.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['deliverablecategory.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deliverable', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliverable_approved_by_id'), ['approved_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliverable_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_deliverable_company_status', ['company_id', 'status'], unique=False)
        batch_op.create_index('ix_deliverable_company_updated', ['company_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliverable_project_id'), ['project_id'], unique=False)

    op.create_table('deliverableversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deliverable_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('original_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('storage_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('internal_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('internal_approved_at', portal.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deliverable_id'], ['deliverable.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['internal_approved_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('deliverable_id', 'number')
    )
    with op.batch_alter_table('deliverableversion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliverableversion_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliverableversion_deliverable_id'), ['deliverable_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliverableversion_uploaded_by_id'), ['uploaded_by_id'], unique=False)

    op.create_table('approvalreceipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('deliverable_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('deliverable_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('approver_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('approver_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('approved_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('ip_address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_agent', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['approver_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deliverable_id'], ['deliverable.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['deliverableversion.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('approvalreceipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approvalreceipt_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approvalreceipt_deliverable_id'), ['deliverable_id'], unique=False)




def downgrade() -> None:
    
    with op.batch_alter_table('approvalreceipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approvalreceipt_deliverable_id'))
        batch_op.drop_index(batch_op.f('ix_approvalreceipt_company_id'))

    op.drop_table('approvalreceipt')
    with op.batch_alter_table('deliverableversion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliverableversion_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_deliverableversion_deliverable_id'))
        batch_op.drop_index(batch_op.f('ix_deliverableversion_company_id'))

    op.drop_table('deliverableversion')
    with op.batch_alter_table('deliverable', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliverable_project_id'))
        batch_op.drop_index('ix_deliverable_company_updated')
        batch_op.drop_index('ix_deliverable_company_status')
        batch_op.drop_index(batch_op.f('ix_deliverable_category_id'))
        batch_op.drop_index(batch_op.f('ix_deliverable_approved_by_id'))

    op.drop_table('deliverable')
    op.drop_table('deliverablesettings')
    with op.batch_alter_table('deliverablecategory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliverablecategory_slug'))

    op.drop_table('deliverablecategory')

