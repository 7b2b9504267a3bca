"""One helper deciding fragment vs full page; every response varies on HX-Request."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, flash, make_response, render_template, request
from jinja2_fragments.flask import render_block

from portal.errors import DomainError, Invalid

MAIN_BLOCK = "main"


def is_partial() -> bool:
    """An HTMX swap gets a fragment; history restores and boosted navigations get full pages."""
    hx = getattr(request, "htmx", None)
    if not hx:
        return False
    return not hx.history_restore_request and not hx.boosted


def render_page(
    template: str, *, status: int = 200, block: str = MAIN_BLOCK, **context: Any
) -> Response:
    """Render ``template`` whole, or only its ``block`` for an HTMX request."""
    if is_partial():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    return make_response(body, status)


def render_fragment(template: str, block: str, *, status: int = 200, **context: Any) -> Response:
    """Render one named block of a page template (OOB pieces, form re-renders)."""
    return make_response(render_block(template, block, **context), status)


def hx_redirect(url: str) -> Response:
    """Redirect that works for both HTMX (HX-Location) and plain requests (303)."""
    if is_partial():
        resp = make_response("", 204)
        resp.headers["HX-Redirect"] = url
        return resp
    resp = make_response("", 303)
    resp.headers["Location"] = url
    return resp


def hx_location(url: str, *, target: str = "#main") -> Response:
    """Like :func:`hx_redirect`, but HTMX loads ``url`` into ``target`` without a full reload
    (HX-Location), so a URL that differs only in its ``#fragment`` still refreshes."""
    if is_partial():
        resp = make_response("", 204)
        resp.headers["HX-Location"] = json.dumps({"path": url, "target": target})
        return resp
    resp = make_response("", 303)
    resp.headers["Location"] = url
    return resp


def init_app(app: Flask) -> None:
    @app.after_request
    def _vary(response: Response) -> Response:
        response.vary.add("HX-Request")
        return response


def perform(
    action: Callable[[], object],
    *,
    message: str,
    location: str,
    refused: Callable[..., Response],
) -> Response:
    """Run one service action on a page: done, a flash and a redirect to ``location``; refused
    (422 invalid input, 409 conflict), ``refused(status, errors=…, conflict=…)`` re-renders the
    page with the reason. Any other error goes to the error handlers."""
    try:
        action()
    except Invalid as exc:
        return refused(422, errors=exc.errors)
    except DomainError as exc:
        if exc.status != 409:
            raise
        return refused(409, errors={"_": [exc.message]}, conflict=exc.code)
    flash(message, "success")
    return hx_redirect(location)
