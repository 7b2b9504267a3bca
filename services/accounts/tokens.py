"""Secrets shown once and stored hashed: API keys, service tokens, one-time link tokens."""

from __future__ import annotations

import secrets

from sqlmodel import Session, func, select

from portal.errors import Invalid, NotFound
from portal.models import ApiKey, Company, ServiceToken
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.principal import API_KEY_PREFIX, SERVICE_TOKEN_PREFIX, digest
from portal.tenancy import Actor, get_for_actor, require
from services.events import activity

ALL_SCOPES = (
    "portal:read",
    "portal:write",
    "tasks:read",
    "tasks:write",
    "files:read",
    "files:write",
    "files:publish",
    "deliverables:read",
    "deliverables:write",
    "feedback:read",
    "feedback:write",
    "users:read",
    "users:write",
    "webhooks:write",
)


def new_link_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def create_api_key(
    session: Session,
    *,
    name: str,
    company_id: int | None = None,
    scopes: list[str] | None = None,
    created_by_id: int | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; the secret is returned once and only its hash is kept."""
    unknown = sorted(set(scopes or []) - set(ALL_SCOPES) - {"*"})
    if unknown:
        from portal.errors import Invalid

        raise Invalid(errors={"scopes": [f"Unknown scope: {s}" for s in unknown]})
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        prefix=secret[: len(API_KEY_PREFIX) + 6],
        key_hash=digest(secret),
        company_id=company_id,
        scopes=list(scopes) if scopes else list(ALL_SCOPES),
        created_by_id=created_by_id,
    )
    session.add(key)
    session.flush()
    return key, secret


def create_service_token(session: Session, *, name: str) -> tuple[ServiceToken, str]:
    secret = SERVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ServiceToken(
        name=name,
        prefix=secret[: len(SERVICE_TOKEN_PREFIX) + 6],
        token_hash=digest(secret),
    )
    session.add(token)
    session.flush()
    return token, secret


def list_api_keys(
    session: Session, *, actor: Actor, limit: int = 100, offset: int = 0
) -> tuple[list[tuple[ApiKey, str | None]], int]:
    """Keys the staff member may manage (agency keys need ``sees_all``), newest first."""
    require(actor, "api_key.manage")
    stmt = select(ApiKey, Company.name).outerjoin(Company, Company.id == ApiKey.company_id)  # type: ignore[arg-type]
    if not actor.sees_all:
        ids = sorted(actor.company_ids or [])
        stmt = stmt.where(ApiKey.company_id.in_(ids or [-1]))  # type: ignore[union-attr]
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(ApiKey.created_at.desc(), ApiKey.id.desc())  # type: ignore[attr-defined]
        .limit(limit)
        .offset(offset)
    ).all()
    return [(k, name) for k, name in rows], int(total)


def issue_api_key(
    session: Session,
    *,
    actor: Actor,
    name: str,
    company_id: int | None,
    scopes: list[str],
) -> tuple[ApiKey, str]:
    """Staff create a key (agency-wide keys need ``sees_all``); the secret is shown once."""
    require(actor, "api_key.manage")
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Give the key a name, e.g. the integration using it."]
    if not scopes:
        errors["scopes"] = ["Choose at least one scope."]
    if company_id is None and not actor.sees_all:
        errors["company_id"] = ["Choose a company: agency-wide keys are for admins."]
    if errors:
        raise Invalid(errors=errors)
    if company_id is not None:
        get_for_actor(session, Company, company_id, actor)
    key, secret = create_api_key(
        session,
        name=name.strip()[:120],
        company_id=company_id,
        scopes=scopes,
        created_by_id=actor.user_id,
    )
    activity.record(
        session,
        actor=actor,
        company_id=company_id,
        action=Action.api_key_created,
        object_type="api_key",
        object_id=key.id,
        object_label=key.name,
        description=f"{actor.label} created the API key {key.name} ({key.prefix}…)",
    )
    return key, secret


def revoke_api_key(session: Session, *, actor: Actor, key_id: int) -> ApiKey:
    """Revoke a key at once; later requests with it answer 401."""
    require(actor, "api_key.manage")
    key = session.get(ApiKey, key_id)
    if key is None or not actor.can_see_company(key.company_id):
        raise NotFound()
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        activity.record(
            session,
            actor=actor,
            company_id=key.company_id,
            action=Action.api_key_revoked,
            object_type="api_key",
            object_id=key.id,
            object_label=key.name,
            description=f"{actor.label} revoked the API key {key.name} ({key.prefix}…)",
        )
    return key
