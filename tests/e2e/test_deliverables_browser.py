from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from services.demo.deliverables import demo_pdf
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def _open(page, name: str) -> None:  # noqa: ANN001
    page.goto("/p/acme/deliverables")
    page.click(f".deliverable-list a:has-text('{name}')")
    page.wait_for_url(re.compile(r"/p/acme/deliverables/\d+$"))
    page.wait_for_selector(f"h1:has-text('{name}')")


def _status(page) -> str:  # noqa: ANN001
    return page.get_attribute(".status-big", "data-status") or ""


def test_submit_revise_new_version_approve(page_factory) -> None:
    pm = page_factory()
    sign_in(pm, "pm@northwind.test")
    _open(pm, "Careers page")
    assert _status(pm) == "pending"
    pm.click("#submit-btn")
    pm.wait_for_selector(".status-big[data-status=in_review]")
    url = pm.url

    client = page_factory()
    sign_in(client, "dev@acme.test")
    client.goto("/p/acme/deliverables")
    expect(client.locator(".waiting a:has-text('Careers page')")).to_be_visible()
    client.goto(url)
    client.fill("#r-note", "Please add the benefits section.")
    client.click("#revision-btn")
    client.wait_for_selector(".status-big[data-status=revision_requested]")
    expect(client.locator(".callout-warn:has-text('benefits section')")).to_be_visible()

    pm.reload()
    expect(pm.locator("text=Please add the benefits section.").first).to_be_visible()
    pm.set_input_files(
        "#nv-file",
        {"name": "careers-v2.pdf", "mimeType": "application/pdf", "buffer": demo_pdf("Careers", 2)},
    )
    pm.fill("#nv-note", "Benefits added")
    pm.click("#version-btn")
    pm.wait_for_selector(".status-big[data-status=in_review]")
    assert pm.locator(".versions li").count() == 2

    client.reload()
    assert client.locator("#approve-btn").inner_text() == "Approve version 2"
    client.click("#approve-btn")
    client.wait_for_selector(".status-big[data-status=approved]")
    expect(
        client.locator("#approval-state:has-text('Approved by Dev Collaborator')")
    ).to_be_visible()
    receipt = client.locator("#receipts a:has-text('Receipt (JSON)')")
    assert receipt.count() == 1
    body = client.request.get(receipt.get_attribute("href")).json()
    assert body["version_number"] == 2 and len(body["sha256"]) == 64
    assert not pm.errors, pm.errors
    assert not client.errors, client.errors


@pytest.mark.parametrize("width", [1280, 375])
def test_deliverable_pages_fit_the_screen(page_factory, width) -> None:
    page = page_factory(width=width)
    sign_in(page, "pm@northwind.test")
    for url in ["/p/acme/deliverables", "/admin/approvals"]:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
    _open(page, "Pricing page")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not page.errors, page.errors
