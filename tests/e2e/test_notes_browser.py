from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def _bell(page) -> int:  # noqa: ANN001
    page.wait_for_selector("#bell-count[hx-trigger^='every 30s']", state="attached")
    text = page.locator("#bell-count span[aria-hidden]").all_inner_texts()
    return int(text[0]) if text else 0


def test_a_mention_raises_the_mentioned_users_bell(page_factory) -> None:
    olivia = page_factory()
    sign_in(olivia, "owner@acme.test")
    olivia.goto("/p/acme/notes")
    before = _bell(olivia)

    dev = page_factory()
    sign_in(dev, "dev@acme.test")
    dev.click(".tabbar a[data-tab=notes]")
    dev.wait_for_url(re.compile(r"/p/acme/notes$"))
    dev.select_option("#f-resource", label="Website redesign")
    dev.fill("#f-body", "Browser check: @Olivia can you confirm the **footer** copy?")
    dev.click("#composer button[type=submit]")
    thread = dev.locator(".thread", has_text="Browser check")
    thread.wait_for()
    expect(thread.locator("strong", has_text="footer")).to_be_visible()  # markdown rendered
    assert dev.url.endswith("/p/acme/notes")

    olivia.reload()
    assert _bell(olivia) == before + 1
    olivia.click("button.bell")
    olivia.locator("#bell-panel a", has_text="See all notifications").click()
    olivia.wait_for_url(re.compile(r"/notifications$"))
    link = olivia.locator(".notif-title", has_text="mentioned you")
    expect(link.first).to_be_visible()
    link.first.click()
    olivia.wait_for_url(re.compile(r"/p/acme/notes\?project=\d+#note-\d+$"))
    expect(olivia.locator(".note", has_text="Browser check").first).to_be_visible()
    assert _bell(olivia) == before  # opening it marked it read
    assert not dev.errors, dev.errors
    assert not olivia.errors, olivia.errors


def test_reply_and_edit_inline_without_reload(page_factory) -> None:
    page = page_factory(width=375, height=800)
    sign_in(page, "dev@acme.test")
    page.goto("/p/acme/notes")
    page.evaluate("window.__marker = 'kept'")
    thread = page.locator(".thread", has_text="staging login").first
    thread.locator("summary", has_text="Reply").click()
    thread.locator("textarea[name=body]").fill("Inline reply from a phone")
    thread.locator("button", has_text="Post reply").click()
    page.locator(".note", has_text="Inline reply from a phone").wait_for()
    mine = page.locator(".note", has_text="Inline reply from a phone")
    mine.locator("a", has_text="Edit").click()
    editor = page.locator(".note textarea[name=body]")
    editor.fill("Edited inline reply")
    page.locator(".note button", has_text="Save").click()
    edited = page.locator(".note", has_text="Edited inline reply")
    edited.wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    edited.locator("button", has_text="Delete").click()
    edited.wait_for(state="detached")
    assert page.locator(".thread", has_text="staging login").count() == 1  # thread stays
    assert page.evaluate("window.__marker") == "kept"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not page.errors, page.errors


def test_viewer_reads_without_write_controls(page_factory) -> None:
    page = page_factory()
    sign_in(page, "viewer@acme.test")
    page.goto("/p/acme/notes")
    assert page.locator(".thread").count() >= 2
    assert page.locator("#composer").count() == 0
    assert page.locator("summary", has_text="Reply").count() == 0
    assert page.locator("text=Internal").count() == 0
    page.goto("/p/acme/activity")
    expect(page.locator("h1", has_text="Activity")).to_be_visible()
    page.goto("/p/acme/announcements")
    expect(page.locator("h2", has_text="Your new project dashboard")).to_be_visible()
    assert not page.errors, page.errors


def test_mark_all_read_clears_the_bell_in_place(page_factory) -> None:
    page = page_factory(width=375, height=800)
    sign_in(page, "viewer@acme.test")
    page.goto("/notifications")
    assert _bell(page) >= 1
    page.evaluate("window.__marker = 'kept'")
    page.click("button:has-text('Mark all read')")
    page.locator("text=You're all caught up.").wait_for()
    assert page.locator("#bell-count span[aria-hidden]").count() == 0  # out-of-band badge swap
    page.click(".segmented a:has-text('Archived')")
    page.wait_for_url(re.compile(r"filter=archived"))
    assert page.evaluate("window.__marker") == "kept"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not page.errors, page.errors
