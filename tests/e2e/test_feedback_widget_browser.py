from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.fakes.host_site import HostSite

pytestmark = pytest.mark.e2e


def test_widget_on_a_client_site_sends_feedback_to_the_inbox(page_factory, live_server) -> None:
    """Staff create a widget for the client's site (another port, another site); a visitor
    there opens it (the vendored script, the framed page) and sends feedback; it lands in the
    board's inbox. No console or CSP error on the client's site, in the frame or in the portal."""
    with HostSite(live_server) as site:
        staff = page_factory()
        sign_in(staff, "pm@northwind.test")
        staff.goto("/p/acme/feedback/inbox")
        staff.fill("#fb-widget-name", "Browser shop widget")
        staff.fill("#fb-widget-origins", site.origin)
        staff.click(".fb-widget-form button[type=submit]")
        snippet = staff.locator(".fb-widget", has_text="Browser shop widget").locator("textarea")
        expect(snippet).to_have_value(re.compile(r'data-widget="[^"]+"'))
        match = re.search(r'data-widget="([^"]+)"', snippet.input_value())
        assert match is not None
        site.widget_key = match.group(1)
        assert not staff.errors, staff.errors

        visitor = page_factory(width=375, height=800)
        visitor.goto(site.origin + "/")
        visitor.get_by_role("button", name="Feedback").click()
        frame = visitor.frame_locator("iframe[title=Feedback]")
        expect(frame.locator("h1")).to_contain_text("Tell")
        frame.get_by_label("A problem").check()
        frame.locator("#fbw-text").fill("The size filter forgets my choice")
        frame.get_by_role("button", name="Send feedback").click()
        expect(frame.locator(".fb-widget-thanks")).to_contain_text("Thank you")
        toggle = visitor.get_by_role("button", name="Feedback")
        toggle.click()  # the same button closes the panel
        expect(visitor.locator("iframe[title=Feedback]")).to_be_hidden()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()  # open again; Escape pressed inside the panel closes it too
        frame.locator("a.btn", has_text="Send more").click()
        frame.locator("#fbw-text").press("Escape")
        expect(visitor.locator("iframe[title=Feedback]")).to_be_hidden()
        expect(toggle).to_be_focused()
        assert not visitor.errors, visitor.errors

        staff.goto("/p/acme/feedback/inbox")
        entry = staff.locator(".fb-entry", has_text="The size filter forgets my choice")
        expect(entry).to_contain_text("Browser shop widget")
        expect(entry).to_contain_text("bug")
        assert not staff.errors, staff.errors
