"""axe-core over every page the project manager reaches, at 1280 and 375 px (see axe_audit)."""

from __future__ import annotations

import pytest

from tests.e2e.axe_audit import audit_role

pytestmark = pytest.mark.e2e


def test_pm_pages_have_no_serious_axe_violations(browser, live_server) -> None:
    audit = audit_role(
        browser, live_server, "pm@northwind.test", "project manager", slug="acme", staff=True
    )
    assert {"/admin/", "/p/acme/dashboard", "/p/acme/feedback/moderation"} <= set(audit.visited)
    assert not audit.found, audit.report()
