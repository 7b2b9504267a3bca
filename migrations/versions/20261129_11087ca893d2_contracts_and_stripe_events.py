"""contracts and stripe events

Revision ID: 11087ca893d2
Revises: bd3e828917a6
Create Date: 2026-11-29 15:09:41.163983
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import portal.models.base

revision: str = '11087ca893d2'
down_revision: str | None = 'bd3e828917a6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contract',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('original_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('storage_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('contract_signer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contract_signer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_signer_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_signer_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_signer_email'), ['email'], unique=False)

    op.create_table('contract_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('contract_title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('signer_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('typed_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('consent', sa.Text(), nullable=False),
    sa.Column('signed_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ip_address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_agent', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signer_id'], ['contract_signer.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('signer_id', name='uq_contract_signature_signer')
    )
    with op.batch_alter_table('contract_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_signature_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_signature_contract_id'), ['contract_id'], unique=False)

    op.create_table('stripe_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('received_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_event_invoice_id'), ['invoice_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stripe_event_invoice_id'))

    op.drop_table('stripe_event')
    with op.batch_alter_table('contract_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_signature_contract_id'))
        batch_op.drop_index(batch_op.f('ix_contract_signature_company_id'))

    op.drop_table('contract_signature')
    with op.batch_alter_table('contract_signer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_signer_email'))
        batch_op.drop_index(batch_op.f('ix_contract_signer_contract_id'))
        batch_op.drop_index(batch_op.f('ix_contract_signer_company_id'))

    op.drop_table('contract_signer')
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_contract_company_id'))

    op.drop_table('contract')
