"""The agency admin's flow in Chromium: a company, its portal from a template, a logo, tabs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.demo.files import demo_png
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def _acme_settings(page) -> None:  # noqa: ANN001
    page.goto("/admin/")
    page.locator("tr", has_text="/p/acme").first.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Identity")).to_be_visible()


def test_company_portal_template_logo_and_tabs(page_factory, tmp_path) -> None:
    page = page_factory()
    sign_in(page, "admin@northwind.test")
    page.locator(".tabbar summary", has_text="Clients").click()  # the Clients menu
    page.get_by_role("link", name="Companies", exact=True).click()
    page.fill("#f-name", "Initech Browser")
    page.get_by_role("button", name="Create company").click()
    expect(page.get_by_role("heading", name="Initech Browser")).to_be_visible()
    page.get_by_role("link", name="Create its portal").click()
    page.fill("#f-title", "Initech Browser")
    page.select_option("#f-template_id", label="Website project")
    page.check("input[name=status][value=active]")
    page.get_by_role("button", name="Create portal").click()
    expect(page.get_by_text("made from the template “Website project”")).to_be_visible()
    expect(page.locator("#f-welcome")).to_have_value(
        "Welcome! Everything for your new website lives here."
    )

    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    page.set_input_files("#f-logo", str(bad))
    page.get_by_role("button", name="Upload logo").click()
    expect(page.locator("#f-logo-err")).to_have_text(
        "The logo must be an image: PNG, JPEG, GIF or WebP."
    )
    logo = tmp_path / "logo.png"
    logo.write_bytes(demo_png((200, 30, 30)))
    page.set_input_files("#f-logo", str(logo))
    page.get_by_role("button", name="Upload logo").click()
    img = page.locator("img.logo-current")
    expect(img).to_be_visible()
    assert page.evaluate("el => el.naturalWidth", img.element_handle()) > 0

    page.fill("[data-accent-input]", "#2d6a4f")
    preview = page.locator("[data-accent-preview]")
    assert "2d6a4f" in preview.evaluate("el => el.style.getPropertyValue('--accent')")

    page.get_by_role("link", name="Tools & Links").click()
    expect(page.get_by_role("link", name="Shared drive")).to_be_visible()
    # the refused logo's 422 is logged by the browser: expected, nothing else is
    unexpected = [e for e in page.errors if "422" not in e]
    assert not unexpected, unexpected


def test_switching_tabs_changes_the_client_tab_bar(page_factory) -> None:
    staff = page_factory()
    sign_in(staff, "admin@northwind.test")
    client = page_factory()
    sign_in(client, "owner@acme.test")
    client.goto("/p/acme/files")
    bar = client.locator("nav.tabbar")
    expect(bar.get_by_role("link", name="Invoices")).to_be_visible()

    _acme_settings(staff)
    staff.get_by_label("Invoices").uncheck()
    staff.get_by_role("button", name="Save settings").click()
    expect(staff.get_by_text("Portal settings saved.")).to_be_visible()
    client.reload()
    expect(bar.get_by_role("link", name="Files")).to_be_visible()
    expect(bar.get_by_role("link", name="Invoices")).to_have_count(0)

    staff.get_by_label("Invoices").check()
    staff.get_by_role("button", name="Save settings").click()
    expect(staff.get_by_text("Portal settings saved.")).to_be_visible()
    client.reload()
    expect(bar.get_by_role("link", name="Invoices")).to_be_visible()
    assert not staff.errors and not client.errors
