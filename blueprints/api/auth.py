"""API authentication in one place: every /api/ request becomes an Actor here.

Three ways in:

* API keys: ``Authorization: Bearer stoa_…`` or ``X-API-Key: stoa_…``. A company key acts as that
  company's client admin; an agency key (no company) acts as staff on every portal. Both are
  limited by the key's scopes (``require_scope``).
* The portal worker's service token (``Bearer stoa_svc_…``) with ``X-Portal-Company-Id`` (required),
  ``X-Portal-User-Role``, ``X-Portal-User-Id`` and ``X-Portal-Group-Company-Ids`` (reference 000),
  accepted on ``/api/portal/`` only. The group list can only narrow the company's real group.
* The browser session (same origin); unsafe methods need the ``X-CSRFToken`` header.
"""

from __future__ import annotations

from flask import current_app, g, request
from sqlmodel import Session

from portal.db import get_session
from portal.errors import BadRequest, Forbidden, NotFound, Unauthorized
from portal.extensions import csrf
from portal.models import ApiKey, ClientRole, Company, User
from portal.models.base import utcnow
from portal.principal import current_actor, set_actor
from portal.runtime import get_runtime
from portal.tenancy import CLIENT_ROLE_NODES, Actor, group_company_ids
from services.accounts.tokens import SERVICE_TOKEN_PREFIX, find_api_key, find_service_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WORKER_HEADERS = (
    "X-Portal-Company-Id",
    "X-Portal-User-Role",
    "X-Portal-User-Id",
    "X-Portal-Group-Company-Ids",
)

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


def _actor_for_key(session: Session, key: ApiKey) -> Actor:
    scopes = frozenset(key.scopes or [])
    label = f"API key {key.name}"
    if key.company_id is None:
        return Actor(
            kind="api_key", nodes=frozenset({"*"}), company_ids=None, label=label, scopes=scopes
        )
    return Actor(
        kind="api_key",
        company_id=key.company_id,
        role=ClientRole.admin.value,
        nodes=frozenset(CLIENT_ROLE_NODES[ClientRole.admin]),
        company_ids=group_company_ids(session, key.company_id),
        label=label,
        scopes=scopes,
    )


def _parse_int(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise BadRequest(f"{name} must be an integer.", code="invalid_header") from None
    if not 1 <= value <= 2**31 - 1:
        raise BadRequest(f"{name} is out of range.", code="invalid_header")
    return value


def worker_actor(session: Session, headers: dict[str, str]) -> Actor:
    """The client the portal worker speaks for (reference 000), never wider than its real group."""
    raw_company = (headers.get("X-Portal-Company-Id") or "").strip()
    if not raw_company:
        raise BadRequest("X-Portal-Company-Id is required.", code="missing_company")
    company_id = _parse_int("X-Portal-Company-Id", raw_company)
    if session.get(Company, company_id) is None:
        raise NotFound("No such company.")
    role = (headers.get("X-Portal-User-Role") or ClientRole.viewer.value).strip().lower()
    if role not in {r.value for r in ClientRole}:
        raise BadRequest(
            "X-Portal-User-Role must be viewer, collaborator or admin.", code="invalid_header"
        )
    user_id = None
    label = "Portal user"
    raw_user = (headers.get("X-Portal-User-Id") or "").strip()
    if raw_user:
        user_id = _parse_int("X-Portal-User-Id", raw_user)
        user = session.get(User, user_id)
        if user is None or not user.is_active or user.company_id != company_id:
            raise Forbidden("That user does not belong to the company.", code="invalid_user")
        label = user.display_name
    real_group = group_company_ids(session, company_id)
    raw_group = headers.get("X-Portal-Group-Company-Ids")
    if raw_group is None or not raw_group.strip():
        visible = real_group
    else:
        asked = {
            _parse_int("X-Portal-Group-Company-Ids", part)
            for part in raw_group.split(",")
            if part.strip()
        }
        visible = frozenset({company_id} | (asked & real_group))
    return Actor(
        kind="worker",
        user_id=user_id,
        company_id=company_id,
        role=role,
        nodes=frozenset(CLIENT_ROLE_NODES[ClientRole(role)]),
        company_ids=visible,
        label=label,
    )


def authenticate() -> None:
    """``before_request`` of every API blueprint: set the Actor or raise 401/403/429."""
    if request.method == "OPTIONS":  # Flask answers it with the Allow header; nothing to guard
        return
    session = get_session()
    secret = _presented_secret()
    worker_route = request.path.startswith("/api/portal/")
    has_worker_headers = any(h in request.headers for h in WORKER_HEADERS)
    if secret:
        if secret.startswith(SERVICE_TOKEN_PREFIX):
            token = find_service_token(session, secret)
            if token is None:
                rate_limit(key_id=None)
                raise Unauthorized("Unknown or revoked token.", code="invalid_token")
            if not worker_route:
                raise Forbidden(
                    "The service token is only valid on /api/portal/.", code="wrong_credentials"
                )
            rate_limit(key_id=None)
            actor = worker_actor(session, dict(request.headers))
        else:
            key = find_api_key(session, secret)
            if key is None:
                rate_limit(key_id=None)
                raise Unauthorized("Unknown or revoked API key.", code="invalid_api_key")
            rate_limit(key_id=key.id)
            if has_worker_headers or worker_route:
                raise Forbidden(
                    "API keys cannot act as the portal worker; use the service token.",
                    code="wrong_credentials",
                )
            key.last_used_at = utcnow()
            session.add(key)
            actor = _actor_for_key(session, key)
    else:
        actor = current_actor()
        if actor.is_anonymous:
            rate_limit(key_id=None)
            raise Unauthorized(
                "Authentication required: send an API key or sign in.", code="unauthorized"
            )
        rate_limit(key_id=None)
        if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        if has_worker_headers:
            raise Forbidden(
                "Portal worker headers need the service token.", code="wrong_credentials"
            )
    if actor.role == ClientRole.viewer.value and request.method not in SAFE_METHODS:
        raise Forbidden("Viewers can look, but not change things.")
    set_actor(actor)
    g.api_actor = actor


def api_actor() -> Actor:
    return g.api_actor


def require_scope(scope: str) -> Actor:
    """The request's actor, if its key holds ``scope`` (sessions and the worker hold all)."""
    actor = api_actor()
    if not actor.has_scope(scope):
        raise Forbidden(f"This API key lacks the {scope} scope.", code="insufficient_scope")
    return actor


def require_staff(scope: str) -> Actor:
    """Staff sessions and agency keys only (with ``scope``); client principals get 403."""
    actor = require_scope(scope)
    if not actor.is_staff:
        raise Forbidden("Only the agency can do that.")
    return actor


def require_client() -> Actor:
    """The portal family needs a client company (the worker, or a client's session)."""
    actor = api_actor()
    if actor.company_id is None:
        raise Forbidden("These endpoints speak for a client company.", code="client_only")
    return actor
