"""Secrets shown once and stored hashed: API keys, service tokens, one-time link tokens.

Finding a key or token by its secret (and the Actor it becomes) is ``portal/principal.py``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, select

from portal.errors import Invalid
from portal.models import ApiKey, Company, ServiceToken
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.integration import ALL_SCOPES, ApiKeyCreate
from portal.principal import API_KEY_PREFIX, SERVICE_TOKEN_PREFIX, digest
from portal.tenancy import Actor, get_for_actor, require_staff, scoped
from portal.web.pagination import Page, paginate
from services.accounts.people import visible_companies
from services.events import activity

KEYS_PER_PAGE = 100
MANAGE_KEYS = "api_key.manage"


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


@dataclass(frozen=True)
class ApiKeysPage:
    """The staff page: keys (with the company each acts for) and the form's choices."""

    keys: Page[tuple[ApiKey, str | None]]
    companies: list[Company]
    can_agency: bool  # may create agency-wide keys
    all_scopes: tuple[str, ...] = ALL_SCOPES


def api_keys_page(session: Session, *, actor: Actor, page: int = 1) -> ApiKeysPage:
    """Keys the staff member may manage (agency keys need ``sees_all``), newest first."""
    require_staff(actor, MANAGE_KEYS)
    stmt = (
        scoped(select(ApiKey, Company.name), actor, ApiKey)
        .outerjoin(Company, col(Company.id) == col(ApiKey.company_id))
        .order_by(col(ApiKey.created_at).desc(), col(ApiKey.id).desc())
    )
    return ApiKeysPage(
        keys=paginate(session, stmt, page=page, per_page=KEYS_PER_PAGE, scalars=False),
        companies=visible_companies(session, actor=actor),
        can_agency=actor.sees_all,
    )


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once, never stored


def issue_api_key(session: Session, *, actor: Actor, data: ApiKeyCreate) -> IssuedKey:
    """Staff create a key (agency-wide keys need ``sees_all``); the secret is shown once."""
    require_staff(actor, MANAGE_KEYS)
    if data.company_id is None and not actor.sees_all:
        raise Invalid(errors={"company_id": ["Choose a company: agency-wide keys are for admins."]})
    if data.company_id is not None:
        get_for_actor(session, Company, data.company_id, actor)
    key, secret = create_api_key(
        session,
        name=data.name,
        company_id=data.company_id,
        scopes=data.scopes,
        created_by_id=actor.user_id,
    )
    activity.record(
        session,
        actor=actor,
        company_id=data.company_id,
        action=Action.api_key_created,
        object_type="api_key",
        object_id=key.id,
        object_label=key.name,
        description=f"{actor.label} created the API key {key.name} ({key.prefix}…)",
    )
    return IssuedKey(key=key, secret=secret)


def revoke_api_key(session: Session, *, actor: Actor, key_id: int) -> ApiKey:
    """Revoke a key at once; later requests with it answer 401."""
    require_staff(actor, MANAGE_KEYS)
    key = get_for_actor(session, ApiKey, key_id, actor)
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
