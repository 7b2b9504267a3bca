"""built-in roles ledger: existing installs' built-in PM role gains the nodes added since

Each built-in role gets ``default_nodes``, the defaults it has been offered. An existing PM role
is taken to have been offered the original defaults; the nodes added since (view as client,
contracts, the vault, the audit log) are added to it unless it already has them. Nodes an
admin added stay, and a default an admin removed is not put back. Later defaults arrive through
``services.accounts.users.update_builtin_roles`` (run by ``stoa db upgrade``).

Revision ID: 21d6e70e703e
Revises: 2da34b12826d
Create Date: 2026-11-29 18:17:11.119269
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "21d6e70e703e"
down_revision: str | None = "2da34b12826d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


PM_ROLE = "Project manager"
ADMIN_ROLE = "Administrator"
# The PM defaults as the first installs created them (frozen here: a migration never imports
# the code it migrates).
ORIGINAL_PM = [
    "portal.read",
    "portal.write",
    "portal.manage",
    "user.invite",
    "project.*",
    "task.*",
    "file.*",
    "deliverable.*",
    "note.*",
    "invoice.read",
    "budget.*",
    "page.*",
    "network.read",
    "network.wifi.read.*",
    "obj.*",
]
ADDED_PM = [
    "user.view_as",
    "contract.read",
    "credential.fetch",
    "credential.fetch.many",
    "credential.create",
    "credential.update",
    "credential.sub_credentials.*",
    "credential_type.fetch",
    "credential_type.fetch.many",
    "audit.read",
]


def _nodes(value: object) -> list[str]:
    if value is None:
        return []
    return list(json.loads(value) if isinstance(value, str) else value)  # type: ignore[arg-type]


def upgrade() -> None:
    with op.batch_alter_table("role") as batch:
        batch.add_column(sa.Column("default_nodes", sa.JSON(), nullable=True))
    conn = op.get_bind()
    role = sa.table(
        "role",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("permissions", sa.JSON),
        sa.column("default_nodes", sa.JSON),
    )
    rows = conn.execute(
        sa.select(role.c.id, role.c.name, role.c.permissions).where(
            role.c.name.in_([PM_ROLE, ADMIN_ROLE])
        )
    ).all()
    for row in rows:
        nodes = _nodes(row.permissions)
        if row.name == ADMIN_ROLE:
            ledger = ["*"]
        else:
            nodes += [n for n in ADDED_PM if n not in nodes]
            ledger = sorted({*ORIGINAL_PM, *ADDED_PM})
        conn.execute(
            role.update().where(role.c.id == row.id).values(permissions=nodes, default_nodes=ledger)
        )


def downgrade() -> None:
    # The nodes added to the PM role stay: they are ordinary grants an admin may remove.
    with op.batch_alter_table("role") as batch:
        batch.drop_column("default_nodes")
