"""The JSON API under /api/: one blueprint family sharing auth, errors and schemas.

Each module builds its blueprint with :func:`api_blueprint` and declares request and response
models on its operations; flask-openapi3 validates requests with them and publishes them in
``/api/openapi.json``. See README.md, "API", for how to add an endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import ValidationError
from werkzeug.exceptions import BadRequest as WerkzeugBadRequest

from blueprints.api.auth import READ_OPERATIONS, api_actor, authenticate
from blueprints.api.schemas import ERROR_RESPONSES, MAX_ID
from blueprints.errors import error_response
from portal.db import get_session
from portal.errors import BadRequest, NotFound
from portal.extensions import csrf
from portal.tenancy import Actor

SECURITY_SCHEMES: dict[str, Any] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key (stoa_…), or on /api/portal/ the portal worker's service "
        "token (stoa_svc_…) with X-Portal-Company-Id (required), X-Portal-User-Role, "
        "X-Portal-User-Id and X-Portal-Group-Company-Ids.",
    },
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "stoa_session",
        "description": "A signed-in browser session (same origin); unsafe methods need the "
        "X-CSRFToken header.",
    },
}
KEY_SECURITY: list[dict[str, list[str]]] = [
    {"bearerAuth": []},
    {"apiKeyHeader": []},
    {"session": []},
]
WORKER_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"session": []}]

# Modules defining API operations; a new area appends its module here.
API_MODULES: tuple[str, ...] = (
    "blueprints.api.v1.portals",
    "blueprints.api.portal.worker",
    "blueprints.api.portal.plans",
    "blueprints.api.portal.tasks",
    "blueprints.api.portal.notes",
    "blueprints.api.v1.deliverables",
    "blueprints.api.v1.directory",
    "blueprints.api.v1.roles",
    "blueprints.api.v1.webhook",
    "blueprints.api.v1.tasks",
    "blueprints.api.v1.notes",
    "blueprints.api.v1.files",
    "blueprints.api.portal.invoices",
    "blueprints.api.portal.budgets",
    "blueprints.api.portal.contracts",
    "blueprints.api.portal.results",
    "blueprints.api.portal.onboarding",
    "blueprints.api.v1.invoices",
    "blueprints.api.v1.budgets",
    "blueprints.api.v1.network",
    "blueprints.api.v1.feedback",
    "blueprints.api.v1.feedback_taxonomy",
    "blueprints.api.v1.feedback_board",
    "blueprints.api.v1.vault",
    "blueprints.api.v1.procurement",
    "blueprints.api.v1.sales",
)

_blueprints: list[APIBlueprint] = []

# Path arguments naming tenant objects -> a loader raising NotFound for what the actor may not
# see. They run right after authentication, so a foreign id answers 404 before the body is
# validated (which would otherwise answer 422 first). Register with ``path_object``.
PATH_OBJECTS: dict[str, Callable[[Any, Actor, Any], object]] = {}


def path_object(arg: str) -> Callable[[Callable[[Any, Actor, Any], object]], Any]:
    """``@path_object("portal_id")`` on ``def load(session, actor, value)``; ``value`` is an
    int in range for ``<int:…>`` arguments, else the string from the path."""

    def decorator(fn: Callable[[Any, Actor, Any], object]) -> Callable[[Any, Actor, Any], object]:
        PATH_OBJECTS[arg] = fn
        return fn

    return decorator


def _check_path_objects() -> None:
    if request.method == "OPTIONS":
        return
    for name, value in (request.view_args or {}).items():
        loader = PATH_OBJECTS.get(name)
        if loader is None:
            continue
        if not isinstance(value, int | str) or (
            isinstance(value, int) and not 1 <= value <= MAX_ID
        ):
            raise NotFound()
        loader(get_session(), api_actor(), value)


def api_blueprint(
    name: str,
    import_name: str,
    *,
    url_prefix: str,
    tag: str,
    description: str = "",
    security: list[dict[str, list[str]]] | None = None,
    reads: frozenset[str] = frozenset(),
) -> APIBlueprint:
    """An API blueprint: authenticated, CSRF handled by the auth step, errors declared.

    ``reads`` names the views whose unsafe method only reads (a question sent as a body):
    read-only roles may call them, like any GET.
    """
    READ_OPERATIONS.update(f"{name}.{view}" for view in reads)
    bp = APIBlueprint(
        name,
        import_name,
        url_prefix=url_prefix,
        abp_tags=[Tag(name=tag, description=description)],
        abp_security=security if security is not None else KEY_SECURITY,
        abp_responses={str(code): model for code, model in ERROR_RESPONSES.items()},
        operation_id_callback=_operation_id,
    )
    # Authenticate before the body is parsed: an anonymous caller never makes us read it.
    bp.before_request(authenticate)
    bp.before_request(_reject_malformed_json)
    bp.before_request(_check_path_objects)
    bp.after_request(_api_headers)
    _blueprints.append(bp)
    return bp


def _operation_id(*, name: str, path: str, method: str) -> str:
    """Operation ids are the view function names (kept unique across the API by a test)."""
    return name


def _reject_malformed_json() -> None:
    """A body that claims to be JSON but does not parse is a 400, not a validation error."""
    if request.method in {"POST", "PUT", "PATCH", "DELETE"} and request.content_length:
        if request.is_json:
            try:
                request.get_json()
            except WerkzeugBadRequest:
                raise BadRequest(
                    "The request body is not valid JSON.", code="malformed_json"
                ) from None


def _api_headers(response: Response) -> Response:
    """Private data is never cached; a 401 says how to authenticate."""
    response.headers.setdefault("Cache-Control", "no-store")
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="stoa"'
    return response


def validation_error_response(exc: ValidationError) -> Response:
    """pydantic errors -> the 422 envelope with ``errors: {field: [message]}``."""
    errors: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        loc = [str(p) for p in err.get("loc", ()) if p != "__root__"]
        field = ".".join(loc) or "body"
        message = str(err.get("msg", "Invalid value.")).removeprefix("Value error, ")
        errors.setdefault(field, []).append(message)
    return error_response(422, "validation_error", "Some fields are invalid.", errors=errors)


def openapi_json() -> Response:
    return jsonify(current_app.api_doc)  # type: ignore[attr-defined]


def register(app: Flask) -> None:
    """Register every API blueprint and the document routes (called by create_app)."""
    from blueprints.api import docs

    for module in API_MODULES:
        import_module(module)
    for bp in _blueprints:
        csrf.exempt(bp)
        app.register_api(bp)  # type: ignore[attr-defined]
    app.add_url_rule("/api/openapi.json", "api_openapi", openapi_json)
    app.add_url_rule("/api/docs", "api_docs", docs.api_docs)
