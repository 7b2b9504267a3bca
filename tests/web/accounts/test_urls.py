"""portal.web.urls: the one safe_next and the one base_url."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal.web.urls import base_url, safe_next


@pytest.mark.parametrize(
    "target",
    ["", None, "https://evil.test/", "//evil.test", "/\\evil.test", "javascript:alert(1)",
     "relative/path", "/a\\b", "/a\nb"],
)  # fmt: skip
def test_safe_next_drops_anything_off_site(target) -> None:
    assert safe_next(target) is None


def test_safe_next_keeps_same_site_paths() -> None:
    assert safe_next(" /p/acme/team?x=1 ") == "/p/acme/team?x=1"


def test_base_url_comes_from_configuration_never_the_request(app, runtime, monkeypatch) -> None:
    with app.test_request_context("/x", base_url="http://evil.test"):
        assert base_url() == "http://127.0.0.1:8000"  # development's default, not the Host
    configured = replace(runtime.settings, base_url="https://stoa.example.test/")
    monkeypatch.setattr(runtime, "settings", configured)
    with app.test_request_context("/x", base_url="http://evil.test"):
        assert base_url() == "https://stoa.example.test"
