from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_reveal_a_secure_value_and_copy_it(page_factory) -> None:
    page = page_factory()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "admin@northwind.test")
    page.goto("/admin/vault")
    card = page.locator(".vault-cred:has-text('Acme WordPress')")
    field = card.locator(".vault-field:has-text('Password')")
    expect(field).to_contain_text("••••")
    expect(card).not_to_contain_text("correct-Horse-7-battery")
    field.locator("button:has-text('Reveal')").click()
    expect(field.locator(".vault-revealed code")).to_have_text("correct-Horse-7-battery")
    copy = field.locator("button:has-text('Copy')")
    copy.click()
    expect(copy).to_have_attribute("data-copied", "true")  # it said "Copied" for a moment
    assert page.evaluate("navigator.clipboard.readText()") == "correct-Horse-7-battery"
    # the read is in the audit log
    page.goto("/admin/audit?action=credential_secret_read")
    expect(page.locator(".audit-table tbody tr").first).to_contain_text(
        "Password of Acme WordPress"
    )


def test_search_and_the_pm_sees_masks_only(page_factory) -> None:
    page = page_factory()
    sign_in(page, "pm@northwind.test")
    page.goto("/admin/vault")
    page.select_option("#vault-company", label="Acme Corp")
    page.fill("#vault-q", "mailbox")
    page.locator(".vault-filters button[type=submit]").click()
    expect(page.locator(".vault-cred")).to_have_count(1)
    expect(page.locator(".vault-cred")).to_contain_text("Support mailbox")
    assert "q=mailbox" in page.url
    expect(page.locator(".vault-cred")).to_contain_text("You may not reveal secure values")
    expect(page.locator(".vault-cred button:has-text('Reveal')")).to_have_count(0)


@pytest.mark.parametrize("path", ["/admin/vault", "/admin/vault/types", "/admin/audit"])
def test_vault_and_audit_fit_a_phone(page_factory, path: str) -> None:
    page = page_factory(width=375, height=800)
    sign_in(page, "admin@northwind.test")
    page.goto(path)
    expect(page.locator("h1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
