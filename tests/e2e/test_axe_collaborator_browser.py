"""axe-core over every page the collaborator reaches, at 1280 and 375 px (see axe_audit)."""

from __future__ import annotations

import pytest

from tests.e2e.axe_audit import audit_role

pytestmark = pytest.mark.e2e


def test_collaborator_pages_have_no_serious_axe_violations(browser, live_server) -> None:
    audit = audit_role(
        browser, live_server, "dev@acme.test", "collaborator", slug="acme", staff=False
    )
    assert {"/p/acme/tasks", "/p/acme/files", "task drawer"} <= set(audit.visited)
    assert not audit.found, audit.report()
