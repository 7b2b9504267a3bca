from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_staff_share_a_proposal_the_client_accepts_and_staff_draft_the_invoice(
    page_factory, tmp_path
) -> None:
    staff = page_factory(width=1280)
    sign_in(staff, "admin@northwind.test")
    staff.goto("/admin/")
    staff.locator("summary.tab-group-trigger", has_text="Money").click()
    staff.locator(".tab-group-panel a", has_text="Opportunities").click()
    staff.wait_for_url(re.compile(r"/admin/opportunities/$"))
    staff.locator(".opportunity-table a.list-title", has_text="Acme desk refresh 2027").click()
    staff.wait_for_url(re.compile(r"/admin/opportunities/\d+$"))
    staff.fill("#sh-terms", "Delivery within two weeks of acceptance.")
    staff.click("#share-btn")
    staff.wait_for_url(re.compile(r"/p/acme/invoices/proposals/\d+$"))
    expect(staff.locator("#proposal-status")).to_have_text("Awaiting decision")
    total = staff.locator("#proposal-total").inner_text()
    proposal_url = staff.url

    for width in (1280, 375):
        client = page_factory(width=width)
        sign_in(client, "owner@acme.test")
        client.goto("/p/acme/invoices")
        client.locator(".billing-nav a", has_text="Proposals").click()
        client.wait_for_url(re.compile(r"/p/acme/invoices/proposals$"))
        assert client.evaluate("document.documentElement.scrollWidth") <= width
        client.locator(".proposal-table a.list-title", has_text="Acme desk refresh 2027").click()
        client.wait_for_url(re.compile(r"/p/acme/invoices/proposals/\d+$"))
        expect(client.locator("#proposal-total")).to_have_text(total)
        expect(client.locator("#accept-btn")).to_be_visible()
        assert client.evaluate("document.documentElement.scrollWidth") <= width
        client.screenshot(path=str(tmp_path / f"proposal-{width}.png"), full_page=True)
        assert not client.errors, client.errors

    client.fill("#accept-name", "Olivia Owner")
    client.check("#accept-consent")
    client.click("#accept-btn")
    expect(client.locator("#proposal-status")).to_have_text("Accepted")
    expect(client.locator("#accepted-callout")).to_contain_text("Olivia Owner accepted version 1")
    expect(client.locator("#accept-btn")).to_have_count(0)
    expect(client.locator("#draft-invoice-btn")).to_have_count(0)  # the staff step only

    staff.goto(proposal_url)
    expect(staff.locator("#proposal-invoice")).to_have_count(0)
    staff.screenshot(path=str(tmp_path / "staff-accepted-1280.png"), full_page=True)
    staff.click("#draft-invoice-btn")
    expect(staff.locator("#draft-invoice-btn")).to_have_count(0)
    invoice_link = staff.locator("#proposal-invoice")
    expect(invoice_link).to_be_visible()
    invoice_link.click()
    staff.wait_for_url(re.compile(r"/p/acme/invoices/\d+$"))
    expect(staff.locator(".status-big")).to_contain_text("Draft")
    expect(staff.get_by_text(total).first).to_be_visible()
    assert not staff.errors, staff.errors
