"""webhooks: subscriptions and the delivery log

Revision ID: c401ea129a48
Revises: bac749c39d1d
Create Date: 2026-11-23 18:00:40.078395
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import portal.models.base

revision: str = 'c401ea129a48'
down_revision: str | None = 'bac749c39d1d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('webhooksubscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('secret_encrypted', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhooksubscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhooksubscription_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhooksubscription_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhooksubscription_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('webhookdelivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('response_code', sa.Integer(), nullable=True),
    sa.Column('response_excerpt', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('redelivery_of_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['redelivery_of_id'], ['webhookdelivery.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subscription_id'], ['webhooksubscription.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhookdelivery_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhookdelivery_redelivery_of_id'), ['redelivery_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhookdelivery_status'), ['status'], unique=False)
        batch_op.create_index('ix_webhookdelivery_subscription_created', ['subscription_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.drop_index('ix_webhookdelivery_subscription_created')
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_status'))
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_redelivery_of_id'))
        batch_op.drop_index(batch_op.f('ix_webhookdelivery_next_attempt_at'))

    op.drop_table('webhookdelivery')
    with op.batch_alter_table('webhooksubscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhooksubscription_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_webhooksubscription_company_id'))
        batch_op.drop_index(batch_op.f('ix_webhooksubscription_active'))

    op.drop_table('webhooksubscription')
