"""Viewers never write; the write gate is one rule in the portal blueprint base."""

from __future__ import annotations

import pytest

from tests.web.files_world import add_acme_files
from tests.web.probe import ARG_RESOLVERS, build_path, portal_write_rules


def test_viewer_gets_403_on_every_portal_write(app, client, db, login, tenants) -> None:
    add_acme_files(db, tenants)
    login(tenants.acme_viewer)
    rules = portal_write_rules(app)
    assert rules, "no portal write routes found"
    values = {name: fn(tenants) for name, fn in ARG_RESOLVERS.items() if name != "portal_id"}
    for path, method in rules:
        url = build_path(path, values)
        resp = client.open(url, method=method, data={})
        assert resp.status_code == 403, (method, path, resp.status_code)


@pytest.mark.parametrize("who", ["acme_collab", "acme_viewer"])
def test_viewer_and_collaborator_see_no_invite_form(client, login, tenants, who) -> None:
    login(getattr(tenants, who))
    assert "Send invitation" not in client.get("/p/acme-test/settings").get_data(as_text=True)
