from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 375])
def test_budgets_fit_and_a_collaborator_declines_then_sees_why(
    page_factory, width, tmp_path
) -> None:
    page = page_factory(width=width)
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/invoices")
    page.locator(".billing-nav a", has_text="Budgets").click()
    page.wait_for_url(re.compile(r"/p/acme/invoices/budgets$"))
    expect(page.locator("h1", has_text="Budgets")).to_be_visible()
    assert page.locator(".budget-table tbody tr").count() == 2  # Acme's and Acme Retail's
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"budgets-list-{width}.png"), full_page=True)
    page.locator(".budget-table a.list-title", has_text="e-commerce").click()
    page.wait_for_url(re.compile(r"/p/acme/invoices/budgets/\d+$"))
    expect(page.locator("#budget-total")).to_have_text("$17,100.00")
    expect(page.locator("#approve-btn")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"budgets-detail-{width}.png"), full_page=True)
    if width == 375:
        page.fill("#d-reason", "Please split the development days into two phases.")
        page.click("#decline-btn")
        expect(page.locator(".status-big .badge")).to_have_text("Declined")
        expect(page.locator(".callout", has_text="two phases")).to_be_visible()
    assert not page.errors, page.errors
