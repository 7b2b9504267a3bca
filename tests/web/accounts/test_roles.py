"""Viewers never write; the write gate is one rule in the portal blueprint base."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel
from sqlmodel import select as sqlmodel_select

from portal.models import Portal
from portal.models.company import ALL_TABS
from tests.web.probe import portal_write_rules


def _row_counts(db) -> dict[str, int]:
    return {
        table.name: db.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    }


def test_viewer_gets_403_on_every_portal_write(app, client, db, login, tenants) -> None:
    # every tab on (a switched-off tab's routes are a 404 before any write rule), results too
    portal = db.exec(sqlmodel_select(Portal).where(Portal.slug == "acme-test")).one()
    portal.enabled_tabs, portal.dashboard_enabled = list(ALL_TABS), True
    db.add(portal)
    db.commit()
    login(tenants.acme_viewer)
    rules = portal_write_rules(app)
    assert rules, "no portal write routes found"
    before = _row_counts(db)
    for path, method in rules:
        # ids need not exist: the write gate answers before any lookup
        url = re.sub(r"<int:\w+>", "1", path.replace("<slug>", "acme-test"))
        resp = client.open(url, method=method, data={})
        assert resp.status_code == 403, (method, path, resp.status_code)
    assert _row_counts(db) == before  # no refused write left a row behind


@pytest.mark.parametrize("who", ["acme_collab", "acme_viewer"])
def test_viewer_and_collaborator_see_no_invite_form(client, login, tenants, who) -> None:
    login(getattr(tenants, who))
    assert "Send invitation" not in client.get("/p/acme-test/settings").get_data(as_text=True)
