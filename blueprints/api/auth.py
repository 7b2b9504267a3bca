"""API authentication, the HTTP side: read the credentials, let ``portal.principal`` build the
Actor, apply rate limits and CSRF, and refuse what a route does not accept.

Three ways in (see ``portal/principal.py`` for what each becomes):

* API keys: ``Authorization: Bearer stoa_…`` or ``X-API-Key: stoa_…``, limited by the key's
  scopes (``require_scope``). Not on ``/api/portal/``.
* The portal worker's service token (``Bearer stoa_svc_…``) with the ``X-Portal-*`` headers
  (reference 000), accepted on ``/api/portal/`` only.
* The browser session (same origin); unsafe methods need the ``X-CSRFToken`` header.
"""

from __future__ import annotations

from flask import current_app, g, request
from sqlmodel import Session

from blueprints.api.portal import check_worker_tab
from portal import principal, tenancy
from portal.db import get_session
from portal.errors import Forbidden, Unauthorized
from portal.extensions import csrf
from portal.models import ClientRole
from portal.runtime import get_runtime
from portal.tenancy import Actor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Operations whose unsafe method only reads (a question sent as a body, like Ask): read-only
# roles may call them. Endpoint names, filled by ``api_blueprint(reads=…)``.
READ_OPERATIONS: set[str] = set()

# Requests per window (seconds), per API key and per client IP. Tests lower them.
KEY_LIMIT = 600
IP_LIMIT = 1200
WINDOW = 60


def _presented_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    key = request.headers.get("X-API-Key", "").strip()
    return key or None


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def rate_limit(*, key_id: int | None) -> None:
    """Count this request against its key (when there is one) and its IP; 429 past the limit."""
    limiter = get_runtime().limiter
    if key_id is not None:
        limiter.check(f"api-key:{key_id}", KEY_LIMIT, WINDOW)
    limiter.check(f"api-ip:{_client_ip()}", IP_LIMIT, WINDOW)


def _worker_actor(session: Session, secret: str, *, worker_route: bool) -> Actor:
    token = principal.find_service_token(session, secret)
    if token is None:
        rate_limit(key_id=None)
        raise Unauthorized("Unknown or revoked token.", code="invalid_token")
    if not worker_route:
        raise Forbidden(
            "The service token is only valid on /api/portal/.", code="wrong_credentials"
        )
    rate_limit(key_id=None)
    headers = {h: request.headers[h] for h in principal.WORKER_HEADERS if h in request.headers}
    return principal.actor_for_worker(session, headers)


def _key_actor(session: Session, secret: str, *, as_worker: bool) -> Actor:
    key = principal.find_api_key(session, secret)
    if key is None:
        rate_limit(key_id=None)
        raise Unauthorized("Unknown or revoked API key.", code="invalid_api_key")
    rate_limit(key_id=key.id)
    if as_worker:
        raise Forbidden(
            "API keys cannot act as the portal worker; use the service token.",
            code="wrong_credentials",
        )
    return principal.actor_for_api_key(session, key)


def _session_actor(*, has_worker_headers: bool) -> Actor:
    actor = principal.current_actor()
    if actor.is_anonymous:
        rate_limit(key_id=None)
        raise Unauthorized(
            "Authentication required: send an API key or sign in.", code="unauthorized"
        )
    rate_limit(key_id=None)
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    if has_worker_headers:
        raise Forbidden("Portal worker headers need the service token.", code="wrong_credentials")
    return actor


def authenticate() -> None:
    """``before_request`` of every API blueprint: set the Actor or raise 401/403/429."""
    if request.method == "OPTIONS":  # Flask answers it with the Allow header; nothing to guard
        return
    session = get_session()
    secret = _presented_secret()
    worker_route = request.path.startswith("/api/portal/")
    has_worker_headers = any(h in request.headers for h in principal.WORKER_HEADERS)
    if not secret:
        actor = _session_actor(has_worker_headers=has_worker_headers)
    elif principal.is_service_token(secret):
        actor = _worker_actor(session, secret, worker_route=worker_route)
    else:
        actor = _key_actor(session, secret, as_worker=has_worker_headers or worker_route)
    if worker_route:
        check_worker_tab(session, actor, request.path)
    if is_write(request.method, request.endpoint) and actor.role == ClientRole.viewer.value:
        raise Forbidden("Viewers can look, but not change things.")
    principal.set_actor(actor)
    g.api_actor = actor


def is_write(method: str, endpoint: str | None) -> bool:
    """Whether a request changes something: every unsafe method but the declared reads."""
    return method not in SAFE_METHODS and endpoint not in READ_OPERATIONS


def api_actor() -> Actor:
    actor: Actor = g.api_actor
    return actor


def require_scope(scope: str) -> Actor:
    """The request's actor, if its key holds ``scope`` (sessions and the worker hold all)."""
    actor = api_actor()
    if not actor.has_scope(scope):
        raise Forbidden(f"This API key lacks the {scope} scope.", code="insufficient_scope")
    return actor


def require_staff(scope: str) -> Actor:
    """Staff sessions and agency keys only (with ``scope``); client principals get 403."""
    actor = require_scope(scope)
    tenancy.require_staff(actor, message="Only the agency can do that.")
    return actor


def require_client() -> Actor:
    """The portal family needs a client company (the worker, or a client's session)."""
    actor = api_actor()
    if actor.company_id is None:
        raise Forbidden("These endpoints speak for a client company.", code="client_only")
    return actor
