"""Viewers never write; the write gate is one rule in the portal blueprint base."""

from __future__ import annotations

import pytest

from tests.web.probe import ARG_RESOLVERS, build_path, portal_write_rules
from tests.web.test_cross_tenant import world  # noqa: F401  (the probe's objects, reused)


def test_viewer_gets_403_on_every_portal_write(app, client, login, world) -> None:  # noqa: F811
    login(world.acme_viewer)
    rules = portal_write_rules(app)
    assert rules, "no portal write routes found"
    for path, method in rules:
        url = build_path(path, {name: fn(world) for name, fn in ARG_RESOLVERS.items()})
        resp = client.open(url, method=method, data={})
        assert resp.status_code == 403, (method, url, resp.status_code)


@pytest.mark.parametrize("who", ["acme_collab", "acme_viewer"])
def test_viewer_and_collaborator_see_no_invite_form(client, login, tenants, who) -> None:
    login(getattr(tenants, who))
    assert "Send invitation" not in client.get("/p/acme-test/settings").get_data(as_text=True)
