from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_upload_two_files_shows_progress_and_rows(page_factory, tmp_path) -> None:
    page = page_factory()
    sign_in(page, "dev@acme.test")
    page.goto("/p/acme/files")
    first = tmp_path / "browser-one.pdf"
    first.write_bytes(b"%PDF-1.7\n" + os.urandom(300_000))
    second = tmp_path / "browser-two.csv"
    second.write_bytes(b"a,b\n1,2\n" * 2000)
    page.set_input_files("#upload-input", [str(first), str(second)])
    items = page.locator(".upload-item")
    items.first.wait_for()
    assert items.count() == 2
    page.wait_for_selector(".upload-item.upload-done >> nth=1", timeout=20_000)
    for i in range(2):
        bar = items.nth(i).locator("progress")
        assert bar.get_attribute("value") == bar.get_attribute("max")
    page.wait_for_selector("#file-list a:has-text('browser-one.pdf')")
    expect(page.locator("#file-list a:has-text('browser-two.csv')")).to_be_visible()
    assert not page.errors, page.errors


def test_refused_file_says_why(page_factory, tmp_path) -> None:
    page = page_factory()
    sign_in(page, "dev@acme.test")
    page.goto("/p/acme/files")
    bad = tmp_path / "cat.png"
    bad.write_bytes(b"\x7fELF\x02\x01\x01" + os.urandom(1000))
    page.set_input_files("#upload-input", str(bad))
    page.wait_for_selector(".upload-item.upload-failed")
    assert "Linux program" in page.locator(".upload-item .upload-status").inner_text()
    # the bar says "failed" too: the danger colour, not the accent a finished upload shows
    bar = page.locator(".upload-item.upload-failed progress")
    fill = bar.evaluate("b => getComputedStyle(b).color")  # the fill is currentColor (base.css)
    danger = page.evaluate(
        "() => { const s = document.createElement('span'); s.style.color = 'var(--danger)';"
        " document.body.append(s); const c = getComputedStyle(s).color; s.remove(); return c; }"
    )
    assert fill == danger, (fill, danger)
    assert bar.get_attribute("aria-label") == "Upload failed: cat.png"


def test_approver_approves_and_preview_renders(page_factory) -> None:
    page = page_factory()
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/files")
    page.click("a:has-text('Homepage wireframe.pdf')")
    page.wait_for_url(re.compile(r"/p/acme/files/\d+$"))
    expect(page.locator("iframe.preview-pdf")).to_be_visible()
    page.click("button:has-text('Approve')")
    page.wait_for_selector(".badge-approved")
    assert not page.errors, page.errors


@pytest.mark.parametrize("width", [1280, 375])
def test_files_pages_fit_the_screen(page_factory, width) -> None:
    page = page_factory(width=width)
    sign_in(page, "pm@northwind.test")
    for url in ["/p/acme/files", "/p/acme/files/requests", "/p/acme/files/downloads"]:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
    assert not page.errors, page.errors
