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
