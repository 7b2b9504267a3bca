from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 375])
def test_invoices_tab_fits_and_opens_an_invoice(page_factory, width) -> None:
    page = page_factory(width=width)
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/invoices")
    expect(page.locator("h1", has_text="Invoices")).to_be_visible()
    expect(page.locator(".money-tile").first).to_be_visible()
    # nothing wider than the screen: the table turns into cards on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator(".invoice-table tbody tr").count() >= 6
    assert "Hosting, November" not in page.content()  # a draft
    page.locator(".invoice-table a.list-title").first.click()
    page.wait_for_url(re.compile(r"/p/acme/invoices/\d+$"))
    expect(page.locator("#invoice-total")).to_be_visible()
    expect(page.locator("#pdf-link")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not page.errors, page.errors


def test_staff_sends_a_draft_and_records_a_payment(page_factory) -> None:
    page = page_factory()
    sign_in(page, "admin@northwind.test")
    page.goto("/p/globex/invoices?status=draft")
    page.locator(".invoice-table a.list-title").first.click()
    page.wait_for_url(re.compile(r"/p/globex/invoices/\d+$"))
    number = page.locator("h1").inner_text().removeprefix("Invoice ")
    page.click("#send-btn")
    expect(page.locator(".status-big .badge")).to_have_text("Sent")
    page.fill("#p-amount", "100")
    page.click("#pay-btn")
    expect(page.locator(".status-big .badge")).to_have_text("Part paid")
    assert not page.errors, page.errors
    client = page_factory()
    sign_in(client, "owner@globex.test")
    client.goto("/p/globex/invoices")
    expect(client.locator(".invoice-table", has_text=number)).to_be_visible()
    assert not client.errors, client.errors
