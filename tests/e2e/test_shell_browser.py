from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

ACCOUNTS = [
    ("admin@northwind.test", "/admin/"),
    ("pm@northwind.test", "/admin/"),
    ("owner@acme.test", "/p/acme/dashboard"),
    ("dev@acme.test", "/p/acme/dashboard"),
    ("viewer@acme.test", "/p/acme/dashboard"),
    ("buyer@acme-retail.test", "/p/acme-retail/dashboard"),
    ("owner@globex.test", "/p/globex/dashboard"),
]


@pytest.mark.parametrize(("email", "landing"), ACCOUNTS)
def test_every_demo_account_signs_in_and_lands(page_factory, email, landing) -> None:
    page = page_factory()
    sign_in(page, email)
    assert page.url.endswith(landing)
    expect(page.locator("h1").first).to_be_visible()
    assert not page.errors, page.errors


def test_tabs_swap_with_htmx_and_keep_the_url_true(page_factory) -> None:
    page = page_factory()
    sign_in(page, "owner@acme.test")
    page.evaluate("window.__marker = 'still-here'")
    page.click(".tab-more > summary")  # Team waits under More
    page.click(".tabbar a[data-tab=team]")
    page.wait_for_url(re.compile(r"/p/acme/team$"))
    page.wait_for_selector("h1:has-text('Team')")
    assert page.evaluate("window.__marker") == "still-here"  # swapped, not reloaded
    assert page.get_attribute(".tabbar a[data-tab=team]", "aria-current") == "page"
    assert page.get_attribute(".tabbar a[data-tab=dashboard]", "aria-current") is None
    assert page.title().startswith("Team")
    page.reload()
    expect(page.locator("h1", has_text="Team")).to_be_visible()  # the pushed URL is a full page
    assert not page.errors, page.errors


def test_foreign_portal_is_a_404_in_the_browser(page_factory) -> None:
    page = page_factory()
    sign_in(page, "owner@globex.test")
    for url in [
        "/p/acme/dashboard",
        "/p/acme/team",
        "/p/acme/settings",
        "/p/acme-retail/dashboard",
    ]:
        resp = page.goto(url)
        assert resp.status == 404, url
        expect(page.locator("text=We couldn't find that page")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 375])
def test_no_horizontal_scrolling(page_factory, width) -> None:
    page = page_factory(width=width)
    page.goto("/login")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sign_in(page, "owner@acme.test")
    for tab in ["dashboard", "team", "settings"]:
        page.goto(f"/p/acme/{tab}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, tab
    # the portal's name is whole beside the portal switcher, the bell and the user menu
    title = page.locator(".portal-title")
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth"), title.inner_text()
    assert page.locator(".switcher summary", has_text="Switch portal").count() == 1
    assert not page.errors, page.errors


def test_sign_out_from_the_user_menu(page_factory) -> None:
    page = page_factory()
    sign_in(page, "dev@acme.test")
    page.click(".user-menu summary")
    page.click("text=Sign out")
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.locator("text=You are signed out.")).to_be_visible()
    page.goto("/p/acme/dashboard")
    assert "/login" in page.url
