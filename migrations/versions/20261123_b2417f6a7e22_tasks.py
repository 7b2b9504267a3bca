"""tasks: task lists, tasks, assignees, comments; agency SLA hours for client requests

Revision ID: b2417f6a7e22
Revises: 3d96c4fff806
Create Date: 2026-11-23 18:00:01.910778
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import portal.models.base

revision: str = 'b2417f6a7e22'
down_revision: str | None = '3d96c4fff806'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tasklist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tasklist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasklist_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasklist_project_id'), ['project_id'], unique=False)

    op.create_table('task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('sla_due_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_private', sa.Boolean(), nullable=False),
    sa.Column('is_milestone', sa.Boolean(), nullable=False),
    sa.Column('is_request', sa.Boolean(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['list_id'], ['tasklist.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_company_due', ['company_id', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_is_private'), ['is_private'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_is_request'), ['is_request'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_list_id'), ['list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_priority'), ['priority'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_task_project_status_order', ['project_id', 'status', 'sort_order'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_status'), ['status'], unique=False)

    op.create_table('taskassignee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_id', 'user_id')
    )
    with op.batch_alter_table('taskassignee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_taskassignee_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_taskassignee_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_taskassignee_user_id'), ['user_id'], unique=False)

    op.create_table('taskcomment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('taskcomment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_taskcomment_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_taskcomment_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_taskcomment_task_id'), ['task_id'], unique=False)

    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_hours', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_column('sla_hours')

    with op.batch_alter_table('taskcomment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_taskcomment_task_id'))
        batch_op.drop_index(batch_op.f('ix_taskcomment_company_id'))
        batch_op.drop_index(batch_op.f('ix_taskcomment_author_id'))

    op.drop_table('taskcomment')
    with op.batch_alter_table('taskassignee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_taskassignee_user_id'))
        batch_op.drop_index(batch_op.f('ix_taskassignee_task_id'))
        batch_op.drop_index(batch_op.f('ix_taskassignee_company_id'))

    op.drop_table('taskassignee')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_status'))
        batch_op.drop_index(batch_op.f('ix_task_requested_by_id'))
        batch_op.drop_index('ix_task_project_status_order')
        batch_op.drop_index(batch_op.f('ix_task_project_id'))
        batch_op.drop_index(batch_op.f('ix_task_priority'))
        batch_op.drop_index(batch_op.f('ix_task_list_id'))
        batch_op.drop_index(batch_op.f('ix_task_is_request'))
        batch_op.drop_index(batch_op.f('ix_task_is_private'))
        batch_op.drop_index(batch_op.f('ix_task_due_date'))
        batch_op.drop_index(batch_op.f('ix_task_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_task_company_id'))
        batch_op.drop_index('ix_task_company_due')

    op.drop_table('task')
    with op.batch_alter_table('tasklist', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasklist_project_id'))
        batch_op.drop_index(batch_op.f('ix_tasklist_company_id'))

    op.drop_table('tasklist')
