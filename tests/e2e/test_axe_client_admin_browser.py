"""axe-core over every page a client admin (Globex) reaches, at 1280 and 375 px (axe_audit)."""

from __future__ import annotations

import pytest

from tests.e2e.axe_audit import audit_role

pytestmark = pytest.mark.e2e


def test_client_admin_pages_have_no_serious_axe_violations(browser, live_server) -> None:
    audit = audit_role(
        browser,
        live_server,
        "owner@globex.test",
        "client admin (Globex)",
        slug="globex",
        staff=False,
    )
    assert {"/p/globex/dashboard", "/p/globex/settings"} <= set(audit.visited)
    assert not audit.found, audit.report()
