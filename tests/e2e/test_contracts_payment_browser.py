"""Clicking through online payment (fake Stripe's hosted page) and signing a contract."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_client_pays_an_invoice_through_stripe_checkout(page_factory, fake_stripe) -> None:
    page = page_factory()
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/invoices?status=sent")
    page.locator(".invoice-table a.list-title").first.click()
    page.wait_for_url(re.compile(r"/p/acme/invoices/\d+$"))
    invoice_url = page.url
    balance = page.locator("#invoice-balance").inner_text()
    page.click("#pay-now-btn")
    # Stripe's hosted checkout (the fake), then back to the invoice
    page.wait_for_url(re.compile(re.escape(fake_stripe.url) + r"/pay/cs_test_\w+$"))
    expect(page.locator("#amount")).to_be_visible()
    page.click("#pay")
    page.wait_for_url(re.compile(re.escape(invoice_url) + r"\?paid=1$"))
    expect(page.locator(".status-big .badge")).to_have_text("Paid")
    expect(page.locator(".pay-return")).to_contain_text("Payment received")
    expect(page.locator("#pay-now-btn")).to_have_count(0)
    assert balance != page.locator("#invoice-balance").inner_text()
    assert fake_stripe.deliveries[-1] == 200
    # Stripe retries the same event: nothing is recorded twice
    assert fake_stripe.replay(fake_stripe.events[-1]).json()["recorded"] is False
    page.reload()
    expect(page.locator("section[aria-labelledby=payments-h]")).to_contain_text("online")
    assert not page.errors, page.errors


@pytest.mark.parametrize("width", [1280, 375])
def test_contracts_section_fits(page_factory, width) -> None:
    page = page_factory(width=width)
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/invoices/contracts")
    expect(page.locator("h1", has_text="Contracts")).to_be_visible()
    expect(page.locator(".contract-table")).to_contain_text("Master services agreement 2027")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not page.errors, page.errors


def test_a_signer_signs_a_contract_and_downloads_the_receipt(page_factory) -> None:
    page = page_factory()
    sign_in(page, "dev@acme.test")
    page.goto("/p/acme/invoices/contracts")
    page.get_by_role("link", name="Data processing addendum").click()
    page.wait_for_url(re.compile(r"/p/acme/invoices/contracts/\d+$"))
    page.fill("#sign-name", "Dev Collaborator")
    page.check("#sign-consent")
    page.click("#sign-btn")
    expect(page.locator("#sign")).to_have_count(0)
    link = page.locator(".receipt-link").first
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    with open(info.value.path()) as downloaded:
        receipt = json.load(downloaded)
    assert receipt["signer_email"] == "dev@acme.test" and len(receipt["sha256"]) == 64
    assert receipt["user_agent"] and receipt["signed_at"]
    assert not page.errors, page.errors
    # another tenant cannot open it
    other = page_factory()
    sign_in(other, "owner@globex.test")
    resp = other.goto(page.url)
    assert resp is not None and resp.status == 404
