"""Page scripts load only on their page, also when the page arrives by an HTMX tab swap; failed
requests show the server's own message in a toast."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_tasks_browser import _card, _column_of, _drag

pytestmark = pytest.mark.e2e


def test_the_board_works_after_a_tab_swap_from_the_dashboard(page_factory) -> None:
    page = page_factory()
    sign_in(page, "dev@acme.test")
    page.goto("/p/acme/dashboard")
    # the dashboard neither links nor runs the board's scripts
    html = page.content()
    assert "Sortable" not in html and "kanban.js" not in html and "uploads.js" not in html
    assert page.evaluate("typeof window.Sortable") == "undefined"
    page.evaluate("window.__marker = 'swapped'")

    page.click(".tabbar a[data-tab=tasks]")
    page.wait_for_url(re.compile(r"/p/acme/tasks$"))
    page.wait_for_selector(".kanban[data-kanban-ready='1']")
    assert page.evaluate("window.__marker") == "swapped"  # an HTMX swap, not a page load
    assert page.evaluate("typeof window.Sortable") == "function"
    assert page.title().startswith("Tasks · ")

    title = "Guidelines PDF"
    target = "in_progress" if _column_of(page, title) != "in_progress" else "up_next"
    with page.expect_response(lambda r: r.url.endswith("/move")) as moved:
        _drag(
            page,
            _card(page, title).locator(".drag-handle"),
            page.locator(f'.kanban-list[data-status="{target}"]'),
        )
    assert moved.value.status == 303
    assert _column_of(page, title) == target
    page.reload()
    assert _column_of(page, title) == target

    # and back: leaving the board and coming again loads nothing twice
    page.click(".tabbar a[data-tab=dashboard]")
    page.wait_for_url(re.compile(r"/p/acme/dashboard$"))
    page.click(".tabbar a[data-tab=tasks]")
    page.wait_for_selector(".kanban[data-kanban-ready='1']")
    sources = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert sum("kanban.js" in s for s in sources) == 1
    assert sum("Sortable.min.js" in s for s in sources) == 1
    assert not page.errors, page.errors


def test_the_files_uploader_works_after_a_tab_swap(page_factory) -> None:
    page = page_factory()
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/dashboard")
    page.click(".tabbar a[data-tab=files]")
    page.wait_for_url(re.compile(r"/p/acme/files$"))
    page.wait_for_selector("[data-uploader].js-uploader")  # uploads.js enhanced the form
    assert not page.errors, page.errors


def test_a_refused_write_shows_the_servers_message(page_factory) -> None:
    page = page_factory()
    sign_in(page, "viewer@acme.test")
    page.goto("/p/acme/tasks")
    with page.expect_response(lambda r: r.url.endswith("/tasks/requests")) as refused:
        page.evaluate(
            """() => htmx.ajax('POST', '/p/acme/tasks/requests',
                    {target: '#main', swap: 'none', values: {title: 'Sneaky'}})"""
        )
    assert refused.value.status == 403
    toast = page.locator("#toasts .toast-error").last
    toast.wait_for()
    assert toast.inner_text().startswith("You can look, but not change things here.")
    expect(page.locator("h1", has_text="Tasks")).to_be_visible()  # the page stays as it was

    # the JSON envelope of the API speaks through the same toast
    page.evaluate("() => htmx.ajax('GET', '/api/v1/no-such-thing', {target: '#main'})")
    page.locator("#toasts .toast-error", has_text="doesn't exist").wait_for()
    assert all("403" in e or "404" in e for e in page.errors), page.errors


def test_a_refused_form_post_toasts_instead_of_swapping_the_error_page_in(page_factory) -> None:
    page = page_factory()
    sign_in(page, "dev@acme.test")
    page.goto("/p/acme/tasks")
    url = _card(page, "Guidelines PDF").get_attribute("data-move-url")
    with page.expect_response(lambda r: r.url.endswith("/move")) as refused:
        page.evaluate(
            "url => htmx.ajax('POST', url, {target: '#main', values: {status: 'bogus'}})", url
        )
    assert refused.value.status == 422
    page.locator("#toasts .toast-error", has_text="Some fields are invalid.").wait_for()
    expect(page.locator(".kanban")).to_be_visible()  # the 422 error page was not swapped into #main
    assert page.locator(".error-code").count() == 0
