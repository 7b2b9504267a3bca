"""One-time secrets never reach the access log (sign-in links, invitations, upload links)."""

from __future__ import annotations

import pytest
import requests

from portal.accesslog import redact
from tests.live import LiveServer
from tests.waiting import wait_until


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /magic/abcDEF123 HTTP/1.1", "GET /magic/[redacted] HTTP/1.1"),
        ("POST /invite/tok_en-9/accept HTTP/1.1", "POST /invite/[redacted]/accept HTTP/1.1"),
        ("GET /u/secret?x=1 HTTP/1.1", "GET /u/[redacted]?x=1 HTTP/1.1"),
        (
            "GET /sso/cb?code=abc&state=xyz HTTP/1.1",
            "GET /sso/cb?code=[redacted]&state=[redacted] HTTP/1.1",
        ),
        ("GET /p/acme/files?page=2 HTTP/1.1", "GET /p/acme/files?page=2 HTTP/1.1"),
    ],
)
def test_redact(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_gunicorn_access_log_has_no_tokens(tmp_path) -> None:
    live = LiveServer(tmp_path, access_log=True)
    live.prepare()
    try:
        live.start()
        for path in ("/magic/MAGICSECRET42", "/invite/INVITESECRET42", "/u/UPLOADSECRET42"):
            requests.get(live.base + path, timeout=10)
        log = tmp_path / "server.log"
        wait_until(lambda: log.read_text().count("[redacted]") >= 3, what="three log lines")
    finally:
        live.stop()
    text = log.read_text()
    assert "SECRET42" not in text
    assert "/magic/[redacted]" in text
