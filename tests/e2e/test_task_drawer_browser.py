"""The task drawer is a modal dialog: focus in and out, Tab kept inside, Escape, the dropzone."""

from __future__ import annotations

import pytest

from services.demo.files import demo_pdf
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

CARD = ".task-card-title:has-text('Business card and letterhead')"
INSIDE = "() => !!document.activeElement.closest('#task-drawer')"


def test_drawer_takes_focus_traps_it_closes_on_escape_and_gives_it_back(page_factory) -> None:
    page = page_factory()
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/tasks")
    opener_href = page.get_attribute(CARD, "href")
    page.focus(CARD)
    page.keyboard.press("Enter")
    drawer = page.locator("#task-drawer[role=dialog]")
    drawer.wait_for()
    assert drawer.get_attribute("aria-modal") == "true"
    title_id = drawer.get_attribute("aria-labelledby")
    assert page.inner_text(f"#{title_id}") == "Business card and letterhead"  # its name
    page.wait_for_function(INSIDE)
    for _ in range(60):  # round and round: Tab never leaves the open drawer
        page.keyboard.press("Tab")
        assert page.evaluate(INSIDE)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(INSIDE)
    # comments come before attachments
    headings = page.locator("#task-drawer .drawer-section-title").all_inner_texts()
    names = [h.split("·")[0].strip() for h in headings]
    assert names.index("Comments") < names.index("Attachments")
    page.keyboard.press("Escape")
    drawer.wait_for(state="detached")
    page.wait_for_function(
        "href => document.activeElement && document.activeElement.getAttribute('href') === href",
        arg=opener_href,
    )
    assert page.url.endswith("/p/acme/tasks") or "/tasks?" in page.url
    assert not page.errors, page.errors


def test_a_file_dropped_on_the_drawer_dropzone_is_attached(page_factory) -> None:
    page = page_factory(375, 800)
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/tasks")
    page.click(".task-card-title:has-text('Guidelines PDF')")
    zone = page.locator("#task-drawer .attachment-upload .dropzone")
    zone.wait_for()
    assert zone.locator("label.btn").is_visible()  # the styled dropzone, not a bare input
    assert not zone.locator(".upload-fallback").is_visible()
    zone.evaluate(
        """(zone, text) => {
          const bytes = Uint8Array.from(text, c => c.charCodeAt(0));
          const data = new DataTransfer();
          data.items.add(new File([bytes], "dropped-brief.pdf", {type: "application/pdf"}));
          for (const type of ["dragenter", "dragover", "drop"]) {
            zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true,
                                                    dataTransfer: data}));
          }
        }""",
        demo_pdf("Dropped").decode("latin-1"),
    )
    page.locator("#task-drawer .attachment", has_text="dropped-brief.pdf").wait_for()
    page.wait_for_function(INSIDE)  # the drawer re-rendered and kept focus
    assert not page.errors, page.errors
