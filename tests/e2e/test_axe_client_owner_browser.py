"""axe-core over every page the client owner reaches, at 1280 and 375 px (see axe_audit)."""

from __future__ import annotations

import pytest

from tests.e2e.axe_audit import audit_role

pytestmark = pytest.mark.e2e


def test_client_owner_pages_have_no_serious_axe_violations(browser, live_server) -> None:
    audit = audit_role(
        browser, live_server, "owner@acme.test", "client owner", slug="acme", staff=False
    )
    # /account sends a client to the portal's Settings, where their account lives
    assert {"/p/acme/dashboard", "/p/acme/settings", "task drawer"} <= set(audit.visited)
    assert any(p.startswith("/p/acme/deliverables/") for p in audit.visited)
    assert not audit.found, audit.report()
