"""A client's own account, inside their portal: from the user menu, in the portal's branding."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_viewer_manages_their_account_in_the_portal(page_factory) -> None:
    page = page_factory(375, 800)
    sign_in(page, "viewer@acme.test")
    page.goto("/account")  # the portal-neutral page sends a client home
    page.wait_for_url(re.compile(r"/p/acme/settings$"))
    page.goto("/p/acme/dashboard")
    page.click(".user-menu summary")
    page.click(".user-menu a:has-text('Your account')")
    page.wait_for_url(re.compile(r"/p/acme/settings$"))
    expect(page.locator(".tabbar")).to_be_visible()  # the portal's layout and branding
    account = page.locator("#account")
    expect(account.locator("h2")).to_have_text("Your account")
    # a wrong current password is a clear error next to the field, nothing changes
    page.fill("#acct-current_password", "not-my-password")
    page.fill("#acct-new_password", "a-long-new-secret")
    page.click("#password-form button[type=submit]")
    expect(page.locator("#acct-current_password-err")).to_have_text(
        "That is not your current password."
    )
    expect(page.locator("#acct-current_password")).to_have_attribute("aria-invalid", "true")
    # (a successful change is tested in tests/web: the demo password is the shared one)
    page.fill("#acct-name", "Vera V. Viewer")
    page.click("#profile-form button[type=submit]")
    expect(page.locator("#account .list-title")).to_have_text("Vera V. Viewer")
    page.fill("#acct-name", "Vera Viewer")
    page.click("#profile-form button[type=submit]")
    expect(page.locator("#account .list-title")).to_have_text("Vera Viewer")
    assert not [e for e in page.errors if "422" not in e], page.errors
