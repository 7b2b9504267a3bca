"""Security headers and cookie hardening."""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # no remote images: they would track who reads what
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class TlsAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came over TLS (or config says so)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def init_app(app: Flask) -> None:
    app.session_interface = TlsAwareSessionInterface()

    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        if "frame-ancestors 'none'" in h["Content-Security-Policy"]:
            # a page that lists who may frame it (an embedded widget) says so in its CSP alone
            h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html" and not request.path.startswith("/static/"):
            # no-store, not "private, no-cache": Chromium still keeps such a page in its
            # back/forward cache, and drops it when the session cookie changes, so after sign-out
            # the back button shows the sign-in page. With no-cache the signed-out user's page
            # came back whole (from the back/forward cache, or from disk without revalidation).
            # tests/e2e/test_back_forward_browser.py
            h.setdefault("Cache-Control", "no-store")
        return response
