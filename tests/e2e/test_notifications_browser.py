"""The bell's panel, and a notification that resolves itself when its work is done."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

REVIEW = "Brand guidelines is ready for your review"


def _bell(page) -> int:  # noqa: ANN001
    page.wait_for_selector("#bell-count[hx-trigger^='every 30s']", state="attached")
    text = page.locator("#bell-count span[aria-hidden]").all_inner_texts()
    return int(text[0]) if text else 0


@pytest.mark.parametrize("width", [1280, 375])
def test_bell_panel_opens_closes_with_escape_and_returns_focus(page_factory, width) -> None:
    page = page_factory(width=width, height=800)
    sign_in(page, "dev@acme.test")
    page.goto("/p/acme/dashboard")
    bell = page.locator("button.bell")
    bell.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#bell-panel")
    expect(panel).to_be_visible()
    expect(bell).to_have_attribute("aria-expanded", "true")
    expect(panel.locator("h2", has_text="Notifications")).to_be_visible()
    expect(panel.locator(":focus")).to_have_count(1)  # focus moved into the panel
    box = panel.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(bell).to_be_focused()
    expect(bell).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not page.errors, page.errors


def test_approving_clears_the_approvers_ready_for_review(page_factory) -> None:
    page = page_factory()
    sign_in(page, "owner@acme.test")
    page.goto("/notifications?filter=unread")
    before = _bell(page)
    expect(page.locator(".notif", has_text=REVIEW)).to_be_visible()

    page.goto("/p/acme/deliverables")
    page.click(".deliverable-list a:has-text('Brand guidelines')")
    page.wait_for_url(re.compile(r"/p/acme/deliverables/\d+$"))
    page.click("#approve-btn")
    page.wait_for_selector(".status-big[data-status=approved]")
    assert _bell(page) == before - 1  # the approval resolved it: no reading needed

    page.goto("/notifications?filter=unread")
    expect(page.locator("h1", has_text="Notifications")).to_be_visible()
    expect(page.locator(".notif", has_text=REVIEW)).to_have_count(0)
    # in the full list (newest first: other work may have pushed it to a later page) it reads Done
    for number in range(1, 6):
        page.goto(f"/notifications?filter=all&page={number}")
        item = page.locator(".notif", has_text=REVIEW)
        if item.count():
            break
    expect(item.locator(".badge", has_text="Done")).to_be_visible()
    expect(item).not_to_have_class(re.compile(r"notif-unread"))

    # "mark all read" in the bell's panel clears the badge in place (the bell reloads at once)
    page.click("button.bell")
    page.locator("#bell-panel button", has_text="Mark all read").click()
    expect(page.locator("#bell-count span[aria-hidden]")).to_have_count(0)
    expect(page.locator("#bell-panel button", has_text="Mark all read")).to_have_count(0)
    expect(page.locator("#bell-panel")).to_be_visible()
    assert not page.errors, page.errors
