"""axe-core over every page the child company admin reaches, at 1280 and 375 px (see axe_audit)."""

from __future__ import annotations

import pytest

from tests.e2e.axe_audit import audit_role

pytestmark = pytest.mark.e2e


def test_child_company_pages_have_no_serious_axe_violations(browser, live_server) -> None:
    audit = audit_role(
        browser,
        live_server,
        "buyer@acme-retail.test",
        "child company admin",
        slug="acme-retail",
        staff=False,
    )
    assert {"/p/acme-retail/dashboard", "/p/acme-retail/team"} <= set(audit.visited)
    assert not audit.found, audit.report()
