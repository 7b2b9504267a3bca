"""projects plan and pages: goals, members, decisions, summaries, roadmaps, pages

Revision ID: 4550f3ab6d9f
Revises: 86a06fd22e14
Create Date: 2026-11-23 18:00:23.084173
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import portal.models.base

revision: str = '4550f3ab6d9f'
down_revision: str | None = '86a06fd22e14'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_index('ix_decision_project_decided', ['project_id', 'decided_at'], unique=False)

    op.create_table('page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_format', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('published_at', portal.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_published_at'), ['published_at'], unique=False)

    op.create_table('projectgoal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('projectgoal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projectgoal_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projectgoal_project_id'), ['project_id'], unique=False)

    op.create_table('projectmember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role_label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'user_id')
    )
    with op.batch_alter_table('projectmember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projectmember_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projectmember_user_id'), ['user_id'], unique=False)

    op.create_table('projectsummary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('generated_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('projectsummary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projectsummary_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_projectsummary_project_generated', ['project_id', 'generated_at'], unique=False)

    op.create_table('roadmap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id')
    )
    with op.batch_alter_table('roadmap', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadmap_company_id'), ['company_id'], unique=False)

    op.create_table('roadmapitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('roadmap_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('quarter', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['roadmap_id'], ['roadmap.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roadmapitem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roadmapitem_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_roadmapitem_roadmap_sort', ['roadmap_id', 'sort_order'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('roadmapitem', schema=None) as batch_op:
        batch_op.drop_index('ix_roadmapitem_roadmap_sort')
        batch_op.drop_index(batch_op.f('ix_roadmapitem_company_id'))

    op.drop_table('roadmapitem')
    with op.batch_alter_table('roadmap', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roadmap_company_id'))

    op.drop_table('roadmap')
    with op.batch_alter_table('projectsummary', schema=None) as batch_op:
        batch_op.drop_index('ix_projectsummary_project_generated')
        batch_op.drop_index(batch_op.f('ix_projectsummary_company_id'))

    op.drop_table('projectsummary')
    with op.batch_alter_table('projectmember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projectmember_user_id'))
        batch_op.drop_index(batch_op.f('ix_projectmember_company_id'))

    op.drop_table('projectmember')
    with op.batch_alter_table('projectgoal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projectgoal_project_id'))
        batch_op.drop_index(batch_op.f('ix_projectgoal_company_id'))

    op.drop_table('projectgoal')
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_published_at'))
        batch_op.drop_index(batch_op.f('ix_page_project_id'))
        batch_op.drop_index(batch_op.f('ix_page_company_id'))
        batch_op.drop_index(batch_op.f('ix_page_author_id'))

    op.drop_table('page')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_project_decided')
        batch_op.drop_index(batch_op.f('ix_decision_decided_by_id'))
        batch_op.drop_index(batch_op.f('ix_decision_company_id'))

    op.drop_table('decision')
