"""The staff tab bar fits at 1280 and 375 px and its menus work from the keyboard."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 375])
def test_staff_menus_fit_and_work_by_keyboard(page_factory, width: int) -> None:
    page = page_factory(width=width)
    sign_in(page, "admin@northwind.test")
    page.goto("/admin/")
    bar = page.locator(".staff-tabbar .tabbar-inner")
    # no sideways scrolling: the bar is as wide as it shows, and within the viewport
    assert bar.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    settings = page.locator(".tab-group[data-group=settings] > summary")
    settings.focus()
    page.keyboard.press("Enter")
    link = page.locator(".tab-group[data-group=settings] a", has_text="Audit log")
    assert link.is_visible()
    box = page.locator(".tab-group[data-group=settings] .tab-group-panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    page.keyboard.press("Escape")
    assert not link.is_visible()
    assert page.evaluate("document.activeElement.textContent").startswith("Settings")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the first link of the Settings menu
    page.wait_for_url(re.compile(r"/admin/roles"))
    assert "is-current" in (
        page.locator(".tab-group[data-group=settings] > summary").get_attribute("class") or ""
    )
