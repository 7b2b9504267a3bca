from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import htmx_settled, sign_in

pytestmark = pytest.mark.e2e


def _open_website_project(page) -> None:  # noqa: ANN001
    page.goto("/p/acme/dashboard")
    page.evaluate("window.__marker = 'still-here'")
    page.click(".tabbar a[data-tab=projects]")
    page.wait_for_url(re.compile(r"/p/acme/projects$"))
    page.click(".project-name a:has-text('Website redesign')")
    page.wait_for_url(re.compile(r"/p/acme/projects/\d+$"))
    page.wait_for_selector("h1:has-text('Website redesign')")
    assert page.evaluate("window.__marker") == "still-here"  # swapped by htmx, not reloaded


def test_staff_open_a_project_from_the_tab_and_log_a_decision(page_factory) -> None:
    page = page_factory()
    sign_in(page, "pm@northwind.test")
    _open_website_project(page)
    assert page.title().startswith("Website redesign")
    assert page.get_attribute(".tabbar a[data-tab=projects]", "aria-current") == "page"
    page.click("#project-decisions summary:has-text('Log a decision')")
    page.fill("#decision-title", "Keep the shop on the current platform")
    page.fill("#decision-detail", "Re-platforming waits until after launch.")
    page.select_option("#decision-by", label="Olivia Owner")
    page.click("#decision-form button[type=submit]")
    first = page.locator("#project-decisions .decision").first
    first.wait_for()
    page.wait_for_selector(
        ".decision .list-title:has-text('Keep the shop on the current platform')"
    )
    assert "Keep the shop on the current platform" in first.inner_text()
    assert "Decided by Olivia Owner" in first.inner_text()
    expect(page.locator("#toasts .toast", has_text="Decision logged.")).to_be_visible()
    assert page.evaluate("window.__marker") == "still-here"
    # an empty decision is refused in place with a message
    page.click("#project-decisions summary:has-text('Log a decision')")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector("#decision-form .field-error:has-text('Say what was decided.')")
    page.reload()
    assert page.locator(".decision .list-title", has_text="Keep the shop").count() == 1
    # the browser logs the (intended) 422 of the refused form; nothing else may appear
    errors = [e for e in page.errors if "status of 422" not in e]
    assert not errors, errors


def test_goal_status_change_is_saved_and_progress_stays_the_task_figure(page_factory) -> None:
    """Progress is one metric everywhere: tasks done out of all tasks. A goal's status is the
    goal's own (saved, confirmed), not a second progress figure."""
    page = page_factory()
    sign_in(page, "admin@northwind.test")
    _open_website_project(page)
    before = page.inner_text("#project-progress .list-meta")
    assert "tasks done" in before
    goal = page.locator("#project-goals select").first.get_attribute("id")
    htmx_settled(page)
    page.locator(f"#{goal}").select_option("done")
    expect(page.locator("#toasts .toast", has_text="Goal updated.")).to_be_visible()
    expect(page.locator(f"#{goal}")).to_have_value("done")  # the list re-sorts; the goal kept it
    assert page.inner_text("#project-progress .list-meta") == before
    assert not page.errors, page.errors


def test_viewer_reads_the_project_and_pages_without_forms(page_factory) -> None:
    page = page_factory()
    sign_in(page, "viewer@acme.test")
    _open_website_project(page)
    assert page.locator("#project-decisions .decision").count() >= 4
    assert page.locator("form[hx-post]").count() == 0
    assert page.locator("text=Log a decision").count() == 0
    page.click(".tab-more > summary")  # Pages waits under More
    page.click(".tabbar a[data-tab=pages]")
    page.wait_for_url(re.compile(r"/p/acme/pages$"))
    expect(
        page.locator(".page-card", has_text="Store launch playbook")
    ).to_be_visible()  # the child's
    assert page.locator(".page-card", has_text="Retainer proposal").count() == 0  # a draft
    page.click(".page-card-title a:has-text('Website launch plan')")
    page.wait_for_selector("article.rich-page h2:has-text('Launch plan')")
    assert not page.errors, page.errors


@pytest.mark.parametrize("width", [1280, 375])
def test_project_pages_fit_the_screen(page_factory, width) -> None:
    page = page_factory(width=width)
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/projects")
    href = page.get_attribute(".project-name a", "href")
    for url in ["/p/acme/projects", href, "/p/acme/pages", "/p/acme/team"]:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
    assert not page.errors, page.errors


def test_staff_write_and_publish_a_page(page_factory) -> None:
    page = page_factory()
    sign_in(page, "admin@northwind.test")
    page.click(".tabbar summary:has-text('Work')")  # the Work menu
    page.click(".tabbar a:has-text('Pages')")
    page.wait_for_url(re.compile(r"/admin/pages/$"))
    page.click("text=New page")
    page.fill("#f-title", "Browser-made page")
    page.select_option("#f-company", label="Acme Corp")
    page.fill("#f-body", "## Hello\n\n<script>window.__pwned = 1</script>\n\nWorld")
    page.click("button:has-text('Save and publish')")
    page.wait_for_selector("h1:has-text('Browser-made page')")
    expect(page.locator(".preview h2", has_text="Hello")).to_be_visible()
    assert not page.errors, page.errors
    page = page_factory()  # a fresh browser context for the client
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/pages")
    page.click(".page-card-title a:has-text('Browser-made page')")
    page.wait_for_selector(".page-prose h2:has-text('Hello')")
    assert page.evaluate("window.__pwned") is None
    assert not page.errors, page.errors
