from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_staff_reveal_a_passphrase_with_one_click(page_factory) -> None:
    page = page_factory()
    sign_in(page, "pm@northwind.test")
    page.goto("/p/acme/network")
    row = page.locator(".net-wifi tr:has-text('Acme-Guest')")
    expect(row.locator(".net-secret")).to_contain_text("••••")
    row.locator("button:has-text('Reveal')").click()
    expect(row.locator(".net-revealed")).to_have_text("Welcome-Guest-2026")


@pytest.mark.parametrize("email", ["viewer@acme.test", "pm@northwind.test"])
def test_the_tab_fits_a_phone(page_factory, email: str) -> None:
    page = page_factory(width=375, height=800)
    sign_in(page, email)
    page.goto("/p/acme/network")
    expect(page.locator(".net-site").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # choosing another site swaps the tab in place and keeps the URL true
    page.locator(".net-site-name a:has-text('Acme Warehouse')").click()
    expect(page.locator("#devices-h")).to_contain_text("Acme Warehouse")
    assert "site=" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
