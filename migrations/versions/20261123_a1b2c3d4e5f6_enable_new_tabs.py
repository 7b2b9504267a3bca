"""Portals created before the Projects and Pages tabs existed get them enabled

Revision ID: a1b2c3d4e5f6
Revises: 4550f3ab6d9f
Create Date: 2026-11-23 19:35:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1b2c3d4e5f6"
down_revision: str | None = "4550f3ab6d9f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_TABS = {"projects": "dashboard", "pages": "network"}  # new tab -> the tab it follows
ORDER = [
    "dashboard",
    "projects",
    "tasks",
    "files",
    "deliverables",
    "notes",
    "invoices",
    "results",
    "network",
    "pages",
    "team",
    "feedback",
    "onboarding",
    "settings",
]

portal = sa.table("portal", sa.column("id", sa.Integer), sa.column("enabled_tabs", sa.JSON))


def _rewrite(add: bool) -> None:
    conn = op.get_bind()
    for row in conn.execute(sa.select(portal.c.id, portal.c.enabled_tabs)).all():
        tabs = row.enabled_tabs
        if isinstance(tabs, str):
            tabs = json.loads(tabs)
        tabs = list(tabs or [])
        if add:
            wanted = set(tabs) | set(NEW_TABS)
            new = [t for t in ORDER if t in wanted] + [t for t in tabs if t not in ORDER]
        else:
            new = [t for t in tabs if t not in NEW_TABS]
        if new != tabs:
            conn.execute(portal.update().where(portal.c.id == row.id).values(enabled_tabs=new))


def upgrade() -> None:
    _rewrite(add=True)


def downgrade() -> None:
    _rewrite(add=False)
