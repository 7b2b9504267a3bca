"""A client's own website for the embeddable feedback widget: one page on another local port
(another origin, and another site: it is served as ``localhost`` while the portal is
``127.0.0.1``) that loads the widget's script under a strict Content-Security-Policy of its
own — no inline script, scripts and frames only from the portal."""

from __future__ import annotations

import threading
from html import escape
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class HostSite:
    def __init__(self, portal_url: str, widget_key: str = "", port: int = 0) -> None:
        self.portal_url = portal_url.rstrip("/")
        self.widget_key = widget_key
        self.requests: list[str] = []
        self._stopped = threading.Event()
        self.server = make_server("127.0.0.1", port, self._app, threaded=True)
        self.origin = f"http://localhost:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HostSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._stopped.is_set():
            self._stopped.set()
            self.server.shutdown()
            self.server.server_close()

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append(f"{request.method} {request.path}")
        if request.path != "/":
            return Response("not found", status=404)(environ, start_response)
        html = (
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, initial-scale=1'>"
            "<title>Acme shop</title></head><body><h1>Acme shop</h1>"
            "<p>Products, prices and a checkout.</p>"
            f'<script src="{escape(self.portal_url)}/widget/embed.js" '
            f'data-widget="{escape(self.widget_key)}" async></script>'
            "</body></html>"
        )
        csp = (
            "default-src 'none'; "
            f"script-src {self.portal_url}; frame-src {self.portal_url}; "
            "style-src 'none'; img-src 'none'; base-uri 'none'; form-action 'none'"
        )
        resp = Response(html, mimetype="text/html", headers={"Content-Security-Policy": csp})
        return resp(environ, start_response)
