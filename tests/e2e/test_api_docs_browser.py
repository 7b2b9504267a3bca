"""The API reference renders in Chromium under the strict CSP, with working anchors."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 375])
def test_api_docs_page(page_factory, width) -> None:
    page = page_factory(width)
    page.goto("/api/docs")
    expect(page.get_by_role("heading", name="Authentication")).to_be_visible()
    page.locator(".api-toc a[href='#create_portal']").click()
    assert page.url.endswith("#create_portal")
    expect(page.locator("#create_portal")).to_be_visible()
    page.get_by_role("link", name="PortalCreate").first.click()
    expect(page.locator("#schema-PortalCreate")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.errors == []


def test_browser_session_calls_the_api_same_origin(page_factory) -> None:
    from tests.e2e.conftest import sign_in

    page = page_factory()
    sign_in(page, "owner@acme.test")
    portals = page.evaluate("fetch('/api/v1/portals').then(r => r.json())")
    assert {p["slug"] for p in portals["items"]} == {"acme", "acme-retail"}
    page = page_factory()
    sign_in(page, "admin@northwind.test")
    portal_id = page.evaluate(
        "fetch('/api/v1/portals?search=acme%20corp').then(r => r.json()).then(b => b.items[0].id)"
    )
    script = """([id, withToken]) => {
      const headers = {'Content-Type': 'application/json'};
      const meta = document.querySelector('meta[name=csrf-token]');
      if (withToken) headers['X-CSRFToken'] = meta.content;
      const body = JSON.stringify({allow_uploads: true});
      return fetch('/api/v1/portals/' + id, {method: 'PATCH', headers, body})
        .then(r => r.json().then(data => [r.status, data]));
    }"""
    page.goto("/admin/")
    status, body = page.evaluate(script, [portal_id, True])
    assert status == 200 and body["slug"] == "acme"
    assert page.errors == []
    status, body = page.evaluate(script, [portal_id, False])  # (the browser logs this 400)
    assert (status, body["code"]) == (400, "csrf_failed")


def test_staff_create_use_and_revoke_an_api_key(page_factory) -> None:
    from tests.e2e.conftest import sign_in

    page = page_factory()
    sign_in(page, "admin@northwind.test")
    page.goto("/admin/")
    page.locator(".tabbar summary", has_text="Settings").click()  # the Settings menu
    page.get_by_role("link", name="API keys").click()
    page.wait_for_url("**/admin/api-keys/")
    page.fill("#f-name", "Browser test key")
    page.select_option("#f-company_id", label="Acme Corp (as its client admin)")
    page.click("#api-key-form button[type=submit]")
    secret_box = page.locator("#new-secret")
    secret_box.wait_for()
    secret = secret_box.input_value()
    assert secret.startswith("stoa_")
    check = "s => fetch('/api/v1/verify', {headers: {'X-API-Key': s}}).then(r => r.status)"
    assert page.evaluate(check, secret) == 200
    page.on("dialog", lambda dialog: dialog.accept())
    row = page.locator("tr", has_text="Browser test key")
    row.get_by_role("button", name="Revoke").click()
    # wait for the swapped row itself (networkidle can come before HTMX has swapped)
    expect(page.locator("tr", has_text="Browser test key").get_by_text("Revoked")).to_be_visible()
    assert page.locator("#new-secret").count() == 0  # shown once, never again
    assert page.errors == []
    assert page.evaluate(check, secret) == 401  # (the browser logs this deliberate 401)
