"""A staff admin adds a webhook, a client invitation reaches a real receiver signed, and the
delivery log offers redelivery."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.waiting import wait_until
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.e2e


def _wait_for(predicate, timeout: float = 15.0) -> None:  # noqa: ANN001
    wait_until(predicate, timeout=timeout)


def test_webhook_created_receives_a_signed_invitation_and_can_be_redelivered(
    page_factory,
) -> None:
    with Receiver() as receiver:
        admin = page_factory()
        sign_in(admin, "admin@northwind.test")
        admin.click(".tabbar summary:has-text('Settings')")  # the Settings menu
        admin.click(".tabbar a:has-text('Webhooks')")
        admin.wait_for_url(re.compile(r"/admin/webhooks$"))
        admin.fill("#f-url", receiver.url)
        admin.fill("#f-description", "Browser test receiver")
        admin.select_option("#f-company_id", label="Acme Corp")
        admin.check("input[name=events][value=client_invited]")
        admin.click("button:has-text('Add webhook')")
        admin.wait_for_selector("text=copy it now")
        admin.wait_for_url(re.compile(r"/admin/webhooks/\d+$"))  # pushed by HTMX
        secret = admin.input_value("#webhook-secret")
        assert secret.startswith("whsec_")

        client = page_factory()
        sign_in(client, "owner@acme.test")
        client.goto("/p/acme/settings")
        client.fill("#invite-form input[name=email]", "new.hire@acme.test")
        client.click("#invite-form button[type=submit]")
        client.wait_for_selector("text=Invitation to new.hire@acme.test queued")

        _wait_for(lambda: len(receiver.requests) == 1)
        got = receiver.requests[0]
        assert got.signature_valid(secret)
        body = json.loads(got.body)
        assert body["event"] == "client_invited"
        assert body["company"]["slug"] == "acme"
        assert body["data"]["object_label"] == "new.hire@acme.test"

        admin.reload()
        assert "copy it now" not in admin.content()  # the secret is shown once
        row = admin.locator("tbody tr").first
        expect(row.locator(".badge", has_text="Delivered")).to_be_visible()
        row.locator("button:has-text('Redeliver')").click()
        admin.wait_for_selector("text=Redelivery queued.")
        _wait_for(lambda: len(receiver.requests) == 2)
        assert receiver.requests[1].body == got.body
        assert receiver.requests[1].signature_valid(secret)
        admin.reload()
        expect(admin.locator("text=redelivery of #")).to_be_visible()

        admin.once("dialog", lambda d: d.accept())
        admin.click("button:has-text('Delete')")
        admin.wait_for_url(re.compile(r"/admin/webhooks$"))
        expect(admin.locator("text=Webhook deleted.")).to_be_visible()
        assert receiver.url not in admin.content()
        assert not admin.errors, admin.errors
        assert not client.errors, client.errors


@pytest.mark.parametrize("width", [1280, 375])
def test_webhook_pages_fit_the_screen(page_factory, width) -> None:
    page = page_factory(width=width)
    sign_in(page, "admin@northwind.test")
    page.goto("/admin/webhooks")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("tr", has_text="northwind-crm").locator("a:has-text('Deliveries')").click()
    page.wait_for_selector("text=CRM sync (demo, paused)")
    expect(page.locator("text=redelivery of #")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not page.errors, page.errors
