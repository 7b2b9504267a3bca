"""axe-core over every page the staff admin reaches, at 1280 and 375 px (see axe_audit)."""

from __future__ import annotations

import pytest

from tests.e2e.axe_audit import audit_role, audit_signed_out

pytestmark = pytest.mark.e2e


def test_staff_admin_pages_have_no_serious_axe_violations(browser, live_server) -> None:
    audit = audit_role(
        browser, live_server, "admin@northwind.test", "staff admin", slug=None, staff=True
    )
    assert {"/admin/", "/admin/people/", "/admin/roles/", "/admin/vault"} <= set(audit.visited)
    assert any(p.startswith("/admin/portals/") for p in audit.visited)
    assert not audit.found, audit.report()


def test_signed_out_pages_have_no_serious_axe_violations(browser, live_server) -> None:
    audit = audit_signed_out(browser, live_server)
    assert {"/login", "404"} <= set(audit.visited)
    assert not audit.found, audit.report()
