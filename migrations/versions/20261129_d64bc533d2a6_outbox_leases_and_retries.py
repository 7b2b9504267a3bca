"""outbox leases and retries

Revision ID: d64bc533d2a6
Revises: 485c21b98f99
Create Date: 2026-11-29 11:52:28.828098
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision: str = 'd64bc533d2a6'
down_revision: str | None = "485c21b98f99"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# One-time links in mail already sent are no longer needed (red-team #5); the same pattern
# as portal.accesslog.redact, copied so the migration does not change with the code.
_SECRET_PATH = re.compile(r"(/(?:magic|invite|u)/)[^/?\s]+")


def upgrade() -> None:
    with op.batch_alter_table('emailoutbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', portal.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('lease_until', portal.models.base.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_emailoutbox_next_attempt_at'), ['next_attempt_at'], unique=False)
    op.execute("UPDATE emailoutbox SET next_attempt_at = created_at WHERE status = 'queued'")

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_invitation_email_id'), ['email_id'], unique=False)
        batch_op.create_foreign_key('fk_invitation_email_id_emailoutbox', 'emailoutbox', ['email_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', portal.models.base.UTCDateTime(), nullable=True))
        # receivers' answers are no longer kept or shown (red-team #3: no echo of response bodies)
        batch_op.drop_column('response_excerpt')

    conn = op.get_bind()
    mail = sa.table('emailoutbox', sa.column('id', sa.Integer), sa.column('body_text', sa.Text), sa.column('body_html', sa.Text), sa.column('status', sa.String))
    rows = conn.execute(sa.select(mail.c.id, mail.c.body_text, mail.c.body_html).where(mail.c.status == 'sent')).all()
    for row_id, text, html in rows:
        conn.execute(
            mail.update().where(mail.c.id == row_id).values(
                body_text=_SECRET_PATH.sub(r"\g<1>[redacted]", text or ""),
                body_html=_SECRET_PATH.sub(r"\g<1>[redacted]", html) if html else html,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('webhookdelivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_excerpt', sa.String(length=500), nullable=False, server_default=''))
        batch_op.drop_column('lease_until')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_invitation_email_id_emailoutbox', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_invitation_email_id'))
        batch_op.drop_column('email_id')

    with op.batch_alter_table('emailoutbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emailoutbox_next_attempt_at'))
        batch_op.drop_column('lease_until')
        batch_op.drop_column('next_attempt_at')
