"""The API reference renders in Chromium under the strict CSP, with working anchors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 375])
def test_api_docs_page(page_factory, width) -> None:
    page = page_factory(width)
    page.goto("/api/docs")
    assert page.get_by_role("heading", name="Authentication").is_visible()
    page.locator(".api-toc a[href='#create_portal']").click()
    assert page.url.endswith("#create_portal")
    assert page.locator("#create_portal").is_visible()
    page.get_by_role("link", name="PortalCreate").first.click()
    assert page.locator("#schema-PortalCreate").is_visible()
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
    status, body = page.evaluate(script, [portal_id, False])
    assert (status, body["code"]) == (400, "csrf_failed")
    status, body = page.evaluate(script, [portal_id, True])
    assert status == 200 and body["slug"] == "acme"
    page.errors.clear()  # the deliberate 400 above is logged by the browser
    assert page.errors == []
