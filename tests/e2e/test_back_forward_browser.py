"""Back/forward: a signed-in page comes back from the browser's back/forward cache at once, and
after signing out the back button shows the sign-in page, never the private page.

Pages answer ``Cache-Control: no-store``: Chromium keeps such pages in its back/forward cache
and drops them when the session cookie changes (sign-out). ``private, no-cache`` would let the
back button show the signed-out user's tasks again (checked by hand: the page came back whole).
Playwright turns the cache off by default (``--disable-back-forward-cache``); this module's browser
keeps it on, as a user's does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM_ARGS, _chromium_path, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bfcache_browser(playwright_driver) -> Iterator[object]:  # noqa: ANN001
    path = _chromium_path()
    assert path, "no Chromium for the browser tests"
    browser = playwright_driver.chromium.launch(
        executable_path=path,
        args=CHROMIUM_ARGS,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield browser
    browser.close()


@pytest.fixture
def page(bfcache_browser, live_server):  # noqa: ANN001, ANN201
    ctx = bfcache_browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server)
    yield ctx.new_page()
    ctx.close()


def test_back_restores_a_signed_in_page_from_the_cache(page) -> None:  # noqa: ANN001
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/tasks")
    page.evaluate("window.__stillHere = 'yes'")  # survives only if the page itself comes back
    page.goto("/p/acme/dashboard")
    page.go_back(wait_until="commit")  # a cached page fires no new "load"
    expect(page).to_have_url(re.compile(r"/p/acme/tasks$"))
    expect(page.locator("h1").first).to_have_text("Tasks")
    assert page.evaluate("window.__stillHere") == "yes"


def test_back_after_sign_out_never_shows_the_private_page(page) -> None:  # noqa: ANN001
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/tasks")
    expect(page.locator("h1").first).to_have_text("Tasks")
    page.evaluate("window.__stillHere = 'yes'")
    page.locator(".user-menu summary").click()
    page.get_by_role("menuitem", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login$"))
    page.go_back(wait_until="commit")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("h1").first).to_have_text("Sign in to your portal")
    assert page.evaluate("window.__stillHere") is None  # the signed-in page was dropped
    expect(page.locator(".user-menu")).to_have_count(0)
    expect(page.locator(".tabbar")).to_have_count(0)
