from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 375])
def test_feedback_tab_search_vote_and_comment(page_factory, width) -> None:
    """A viewer searches the board and votes (HTMX swaps the button); a collaborator posts an
    idea and comments; no console or CSP error on the way, at desktop and phone widths."""
    viewer = page_factory(width=width)
    sign_in(viewer, "viewer@acme.test")
    viewer.goto("/p/acme/feedback")
    expect(viewer.locator(".fb-post").first).to_be_visible()
    viewer.fill("#fb-q", "dark")
    expect(viewer.locator(".fb-post")).to_have_count(1)
    card = viewer.locator(".fb-post", has_text="Dark mode")
    button = card.locator(".fb-vote-btn")
    before = int(button.locator(".fb-vote-count").inner_text())
    pressed = button.get_attribute("aria-pressed")
    button.click()
    expect(card.locator(".fb-vote-btn")).to_have_attribute(
        "aria-pressed", "false" if pressed == "true" else "true"
    )
    after = int(card.locator(".fb-vote-count").inner_text())
    assert after == (before - 1 if pressed == "true" else before + 1)
    viewer.click(".fb-views a:has-text('Roadmap')")
    viewer.wait_for_url(re.compile(r"/p/acme/feedback/roadmap$"))
    expect(viewer.locator(".fb-column").first).to_be_visible()
    assert not viewer.errors, viewer.errors

    dev = page_factory(width=width)
    sign_in(dev, "dev@acme.test")
    dev.goto("/p/acme/feedback")
    dev.click(".fb-new-summary")
    dev.locator("#fb-title").press_sequentially("dark theme", delay=20)
    expect(dev.locator("#fb-similar")).to_contain_text("Dark mode")  # similar ideas, debounced
    dev.fill("#fb-title", f"Browser idea at {width}px")
    dev.fill("#fb-description", "Written in **the browser**")
    dev.click(".fb-new button[type=submit]")
    dev.wait_for_url(re.compile(r"/p/acme/feedback/[A-Za-z0-9]{6}$"))
    expect(dev.locator(".fb-description strong")).to_have_text("the browser")
    dev.fill("#fb-comment", "First comment from @Olivia's teammate")
    dev.click(".fb-comment-form button[type=submit]")
    expect(dev.locator(".fb-comment", has_text="First comment")).to_be_visible()
    assert not dev.errors, dev.errors
