"""task attachments

Revision ID: e7a1c2d4b5f6
Revises: a1b2c3d4e5f6
Create Date: 2026-11-23 19:15:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision: str = 'e7a1c2d4b5f6'
down_revision: str | None = 'a1b2c3d4e5f6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('task_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('attached_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attached_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['portal_file.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_id', 'file_id')
    )
    with op.batch_alter_table('task_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_attachment_attached_by_id'), ['attached_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_attachment_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_attachment_file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_attachment_task_id'), ['task_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_attachment_task_id'))
        batch_op.drop_index(batch_op.f('ix_task_attachment_file_id'))
        batch_op.drop_index(batch_op.f('ix_task_attachment_company_id'))
        batch_op.drop_index(batch_op.f('ix_task_attachment_attached_by_id'))
    op.drop_table('task_attachment')
