"""Bounded input: a global request-body cap, streaming uploads exempt, JSON depth limits, and no
NUL characters in query strings or forms.

Every request body is capped (``MAX_BODY_BYTES``: forms, JSON) so nobody can make a worker
parse a 100 MB form or JSON document; a view that streams an upload is marked with
``@large_body`` and enforces its own (per-portal, streaming) limit instead. JSON nested deeper
than ``MAX_JSON_DEPTH`` is a 400 before it is decoded. A NUL character in a query argument or a
form field of an HTML route is a 400 before any view sees it (PostgreSQL cannot store or compare
one); the API's models refuse it (``ApiModel``, a 422) after authentication.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

from portal.validation import has_nul

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_JSON_DEPTH = 64
UNCAPPED = 1 << 62

F = TypeVar("F", bound=Callable[..., Any])


def large_body(view: F) -> F:
    """Mark a view that streams a large body (uploads): the global cap does not apply to it."""
    setattr(view, "stoa_large_body", True)  # noqa: B010 - a marker on any callable
    return view


def json_depth(text: str | bytes) -> int:
    """How deeply arrays/objects nest in a JSON text (brackets inside strings not counted)."""
    data = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    if data.count("[") + data.count("{") <= MAX_JSON_DEPTH:
        return 0  # cannot nest deeper than the brackets it has
    depth = deepest = 0
    in_string = escaped = False
    for ch in data:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing documents nested too deeply to decode safely."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if json_depth(s) > MAX_JSON_DEPTH:
            raise BadRequest(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise BadRequest(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from None


def init_app(app: Flask) -> None:
    """Install the cap and the JSON provider; call before any extension that reads forms."""
    app.config["MAX_CONTENT_LENGTH"] = int(app.config.get("MAX_BODY_BYTES") or MAX_BODY_BYTES)
    json_provider = BoundedJSONProvider(app)
    json_provider.sort_keys = False
    app.json = json_provider

    @app.before_request
    def _lift_cap_for_uploads() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "stoa_large_body", False):
            # None would mean "the app's cap" again; uploads enforce their own limits
            request.max_content_length = UNCAPPED

    @app.before_request
    def _refuse_nul_characters() -> None:
        if request.path.startswith("/api/"):
            return  # API models refuse NUL (a 422 envelope), and only after authentication
        if has_nul(request.args.to_dict(flat=False)):
            raise BadRequest("Text may not contain NUL characters.")
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "stoa_large_body", False):
            return  # streamed uploads: reading the form here would consume the stream
        if has_nul(request.form.to_dict(flat=False)):
            raise BadRequest("Text may not contain NUL characters.")
