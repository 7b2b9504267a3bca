"""The Onboarding tab in Chromium: progress, stages, the success profile and the presented
review draw with no console or CSP error, at desktop and phone widths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 375])
def test_the_onboarding_tab_renders_without_errors(page_factory, width: int) -> None:
    page = page_factory(width=width, height=900)
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/onboarding")
    expect(page.locator(".onboarding-stage")).to_have_count(4)
    expect(page.locator(".onboarding-progress progress")).to_be_visible()
    expect(page.get_by_text("Q3 2026 review")).to_be_visible()
    expect(page.get_by_text("Account health (internal)")).to_have_count(0)
    expect(page.locator(".onboarding-goals li")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    folder = os.environ.get("STOA_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"onboarding-{width}.png"), full_page=True)
    assert page.errors == []
