"""Errors become a friendly page, an HTMX fragment, or the JSON envelope on /api/."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, SecurityError

from portal.db import database_down, is_database_busy, reset_request_session
from portal.errors import DomainError
from portal.web.htmx import render_page

log = logging.getLogger(__name__)

TITLES = {
    400: "That request didn't work",
    401: "Please sign in",
    403: "You don't have access to that",
    404: "We couldn't find that page",
    405: "That action isn't allowed here",
    409: "That conflicts with what's there",
    413: "That upload is too large",
    422: "Please check the form",
    429: "Slow down a little",
    500: "Something went wrong on our side",
    503: "We're busy for a moment",
}
BUSY_RETRY_SECONDS = 2
UNAVAILABLE_RETRY_SECONDS = 10
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    errors: dict | None = None,
    retry_after: int | None = None,
) -> Response:
    if wants_json():
        body: dict = {"code": code, "message": message, "data": {"status": status}}
        if errors:
            body["errors"] = errors
        resp = jsonify(body)
        resp.status_code = status
    else:
        resp = render_page(
            "errors/error.html",
            status=status,
            status_code=status,
            title=TITLES.get(status, "Error"),
            message=message,
            signed_in=not database_down() and current_user.is_authenticated,
        )
    if retry_after is not None:
        resp.headers["Retry-After"] = str(retry_after)
    return resp


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Response:
        reset_request_session()
        return error_response(
            exc.status,
            exc.code,
            exc.message,
            errors=exc.errors or None,
            retry_after=exc.retry_after,
        )

    @app.errorhandler(SecurityError)
    def _untrusted_host(exc: SecurityError) -> Response:
        # A Host we do not serve: answer plainly, building no URL and reading no database.
        return Response("Unknown host.\n", status=400, mimetype="text/plain")

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Response:
        return error_response(
            400, "csrf_failed", "Your session form expired. Reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        original = getattr(exc, "original_exception", None)
        if isinstance(original, OperationalError | PoolTimeout):  # e.g. the commit after the view
            return _database(original)
        message = {
            404: "The page you asked for doesn't exist or isn't yours to see.",
            405: "That method isn't allowed on this address.",
        }.get(status, exc.description or "")
        resp = error_response(status, CODES.get(status, "error"), message)
        if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def _database(exc: Exception) -> Response:
        reset_request_session()
        if is_database_busy(exc):
            log.warning("database busy on %s %s", request.method, request.path)
            return error_response(
                503,
                "busy",
                "Many people are saving at once. Nothing was changed; please try again.",
                retry_after=BUSY_RETRY_SECONDS,
            )
        log.error("database unavailable on %s %s: %s", request.method, request.path, exc)
        g.database_down = True
        return error_response(
            503,
            "unavailable",
            "We can't reach our database for a moment. Nothing was changed; please try again.",
            retry_after=UNAVAILABLE_RETRY_SECONDS,
        )

    @app.errorhandler(Exception)
    def _unhandled(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        reset_request_session()
        return error_response(
            500,
            "internal_error",
            "An unexpected error happened. It has been logged; please try again.",
        )
