"""The portal's tab bar fits without scrolling at 1280 and 375 px: the first tabs stand, the
rest wait under "More", a menu that works from the keyboard and names the current tab it holds."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

BASE = "/p/acme"


def _fits(page, width: int) -> None:  # noqa: ANN001
    bar = page.locator(".portal-tabbar .tabbar-inner")
    assert bar.evaluate("el => el.scrollWidth <= el.clientWidth"), "the tab bar scrolls"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _visible_tabs(page) -> list[str]:  # noqa: ANN001
    return [t.strip() for t in page.locator(".portal-tabbar a.tab:visible").all_inner_texts()]


@pytest.mark.parametrize("width", [1280, 375])
def test_more_menu_fits_and_works_by_keyboard(page_factory, width: int) -> None:
    page = page_factory(width=width)
    sign_in(page, "owner@acme.test")
    page.goto(f"{BASE}/dashboard")
    _fits(page, width)
    standing = _visible_tabs(page)
    assert standing[0] == "Dashboard" and "Settings" not in standing
    more = page.locator(".tab-more > summary")
    assert more.is_visible() and more.inner_text().strip() == "More"
    more.focus()
    page.keyboard.press("Enter")
    menu = page.locator(".tab-more-panel")
    settings = menu.locator("a", has_text="Settings")
    assert settings.is_visible()
    # every tab is offered exactly once: standing in the bar or in the menu
    offered = standing + [t.strip() for t in menu.locator("a:visible").all_inner_texts()]
    assert len(offered) == len(set(offered)) == 15, offered
    box = menu.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    page.keyboard.press("Escape")
    assert not settings.is_visible()
    assert page.evaluate("document.activeElement.closest('summary') !== null")
    assert "More" in page.evaluate("document.activeElement.textContent")
    # open it again and follow a link by keyboard: More now names the current tab
    page.keyboard.press("Enter")
    settings.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/settings$"))
    trigger = page.locator(".tab-more > summary")
    expect(trigger).to_have_text(re.compile(r"^\s*Settings"), use_inner_text=True)
    assert "more sections" in (trigger.text_content() or "")
    assert not settings.is_visible()  # the menu closed after the swap
    # and back to a standing tab: More says "More" again
    page.locator(".portal-tabbar a.tab", has_text="Tasks").click()
    page.wait_for_url(re.compile(r"/tasks"))
    expect(trigger).to_have_text(re.compile(r"^\s*More\s*$"), use_inner_text=True)
    _fits(page, width)


def test_a_phone_moves_more_tabs_under_more(page_factory) -> None:
    page = page_factory(width=375)
    sign_in(page, "owner@acme.test")
    page.goto(f"{BASE}/files")  # Files stands at 1280 px but waits under More on a phone
    assert "Files" not in _visible_tabs(page)
    trigger = page.locator(".tab-more > summary")
    assert trigger.inner_text().strip().startswith("Files")
    for tab in ("tools", "onboarding"):  # the longest names still fit beside the standing tabs
        page.goto(f"{BASE}/{tab}")
        _fits(page, 375)
        assert page.locator(".tab-more > summary").is_visible()
    page.goto(f"{BASE}/files")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert "Files" in _visible_tabs(page)
    assert trigger.inner_text().strip() == "More"
