from __future__ import annotations

import pytest
from playwright.sync_api import expect

from services.demo.files import demo_pdf
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_attach_files_in_the_task_drawer(page_factory) -> None:
    page = page_factory()
    sign_in(page, "owner@acme.test")
    page.goto("/p/acme/tasks")
    page.evaluate("window.__marker = 'kept'")
    page.click(".task-card-title:has-text('Business card and letterhead')")
    page.wait_for_selector("#task-drawer .task-attachments")
    assert "No files attached." in page.inner_text("#task-drawer .task-attachments")
    # upload a new file straight into the drawer: choosing it in the dropzone sends it
    page.set_input_files(
        "#task-drawer input[type=file]",
        {"name": "audit-notes.pdf", "mimeType": "application/pdf", "buffer": demo_pdf("Audit")},
    )
    row = page.locator("#task-drawer .attachment", has_text="audit-notes.pdf")
    row.wait_for()
    href = row.locator("a.attachment-name").get_attribute("href")
    assert href and "/p/acme/files/" in href and href.endswith("/download")
    assert page.evaluate("window.__marker") == "kept"  # the drawer swapped in place
    # attach a file that is already in the portal's files
    page.select_option("#task-drawer select[name=file_id]", label="Keyword research.csv")
    page.click("#task-drawer .attachment-existing button[type=submit]")
    page.locator("#task-drawer .attachment", has_text="Keyword research.csv").wait_for()
    assert page.locator("#task-drawer .attachment").count() == 2
    # the download link serves the uploaded bytes
    resp = page.request.get(href)
    assert resp.status == 200 and resp.body().startswith(b"%PDF")
    # and removing one leaves the other
    page.click(
        "#task-drawer .attachment:has-text('Keyword research.csv') button:has-text('Remove')"
    )
    page.locator("#task-drawer .attachment", has_text="Keyword research.csv").wait_for(
        state="detached"
    )
    page.reload()
    expect(page.locator("#task-drawer .attachment", has_text="audit-notes.pdf")).to_be_visible()
    assert not page.errors, page.errors
