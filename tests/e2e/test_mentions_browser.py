"""@mention autocomplete: type, arrow, Enter; the token it inserts notifies that person."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_type_arrow_enter_inserts_the_mention_and_notifies(page_factory) -> None:
    dev = page_factory()
    sign_in(dev, "dev@acme.test")
    dev.goto("/p/acme/notes")
    dev.select_option("#f-resource", label="Website redesign")
    box = dev.locator("#f-body")
    box.click()
    box.press_sequentially("Autocomplete check for @da")
    listbox = dev.locator("#f-body-mentions[role=listbox]")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.locator("[role=option]")
    expect(options.first).to_contain_text("Ada Admin")
    names = options.all_inner_texts()
    assert not any("Globex" in n or "Bruno" in n for n in names)  # only people who see Acme
    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active and dev.get_attribute(f"#{active}", "aria-selected") == "true"
    box.press("Enter")
    expect(listbox).to_be_hidden()
    assert box.input_value() == "Autocomplete check for @Ada.Admin "
    box.press_sequentially("please look")
    box.press("Escape")  # nothing open: a plain key
    dev.click("#composer button[type=submit]")
    dev.locator(".thread", has_text="Autocomplete check").wait_for()
    assert not dev.errors, dev.errors

    ada = page_factory(375, 800)
    sign_in(ada, "admin@northwind.test")
    ada.goto("/notifications")
    expect(ada.locator(".notif-title", has_text="mentioned you").first).to_be_visible()
    assert re.search(r"Dev Collaborator mentioned you", ada.inner_text("main"))


def test_escape_closes_the_list_and_keeps_the_text(page_factory) -> None:
    page = page_factory(375, 800)
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/notes")
    box = page.locator("#f-body")
    box.click()
    box.press_sequentially("Hi @ve")
    listbox = page.locator("#f-body-mentions")
    expect(listbox.locator("[role=option]").first).to_contain_text("Vera Viewer")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    assert box.input_value() == "Hi @ve"
    box.press_sequentially("r")
    expect(listbox.locator("[role=option]").first).to_contain_text("Vera Viewer")
    box.press("Tab")  # Tab picks the first
    assert box.input_value() == "Hi @Vera.Viewer "
    assert not page.errors, page.errors


def _bell(page) -> int:  # noqa: ANN001
    page.wait_for_selector("#bell-count[hx-trigger^='every 30s']", state="attached")
    text = page.locator("#bell-count span[aria-hidden]").all_inner_texts()
    return int(text[0]) if text else 0


def test_a_mention_picked_in_the_task_drawer_rings_that_persons_bell(page_factory) -> None:
    vera = page_factory(375, 800)
    sign_in(vera, "viewer@acme.test")
    vera.goto("/p/acme/dashboard")
    before = _bell(vera)

    dev = page_factory()
    sign_in(dev, "dev@acme.test")
    dev.goto("/p/acme/tasks")
    dev.click(".task-card-title:has-text('Business card and letterhead')")
    box = dev.locator("#task-drawer #c-body")
    box.wait_for()
    box.click()
    box.press_sequentially("Proofs are in, @ve")
    listbox = dev.locator("#c-body-mentions[role=listbox]")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.locator("[role=option]").first).to_contain_text("Vera Viewer")
    box.press("ArrowDown")
    box.press("Enter")  # picks; the list closes, the form is not sent
    expect(listbox).to_be_hidden()
    assert box.input_value() == "Proofs are in, @Vera.Viewer "
    box.press_sequentially("please check")
    dev.click("#task-drawer .comment-form button[type=submit]")
    expect(dev.locator("#task-drawer .comment-text", has_text="please check")).to_be_visible()
    assert not dev.errors, dev.errors

    vera.reload()
    assert _bell(vera) == before + 1
    vera.click("button.bell")
    expect(
        vera.locator("#bell-panel", has_text="Dev Collaborator mentioned you on Business card")
    ).to_be_visible()
    assert not vera.errors, vera.errors
