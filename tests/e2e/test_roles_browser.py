"""An admin creates a role in the role editor by clicking, gives it to a colleague and sees the
colleague's effective nodes; the same works on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_create_a_role_and_assign_it(page_factory) -> None:
    page = page_factory()
    sign_in(page, "admin@northwind.test")
    page.click(".tabbar summary:has-text('Settings')")  # the Settings menu
    page.click(".tabbar a:has-text('Roles')")
    page.wait_for_url(re.compile(r"/admin/roles/$"))
    expect(page.locator("text=Billing").first).to_be_visible()
    page.click("a:has-text('New role')")
    page.fill("#f-title", "Network crew")
    page.fill("#f-description", "Looks after the client networks")
    # groups are closed <details>: open one from the keyboard, tick with the space bar
    summary = page.locator("details.node-group summary", has_text="Network Permissions")
    summary.focus()
    page.keyboard.press("Enter")
    box = page.locator("input[name=permissions][value='network.read']")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.check("input[name=permissions][value='network.sites.sync']")
    page.click("button:has-text('Create role')")
    page.wait_for_url(re.compile(r"/admin/roles/\d+$"))
    expect(page.locator("text=Role created.")).to_be_visible()
    expect(page.locator("input[value='network.read']")).to_be_checked()

    page.click("a:has-text('All roles')")
    page.locator("tr:has-text('Pat Manager') a:has-text('Roles')").click()
    page.check("label:has-text('Network crew') input")
    page.click("button:has-text('Save roles')")
    expect(page.locator("text=Roles of Pat Manager saved.")).to_be_visible()
    expect(page.locator(".node-chips code", has_text="network.sites.sync")).to_be_visible()
    assert not page.errors


def test_refusals_show_a_message_on_a_phone(page_factory) -> None:
    page = page_factory(375, 800)
    sign_in(page, "admin@northwind.test")
    page.goto("/admin/roles/new")
    page.click("button:has-text('Create role')")
    expect(page.locator("#f-title-err")).to_contain_text("Give the role a name")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the editor scrolls sideways on a phone ({width}px)"
    # the refused form answers 422 (Chromium logs the status); nothing else went wrong
    assert not [e for e in page.errors if "422" not in e]
