"""Secrets shown once and stored hashed: API keys, service tokens, one-time link tokens."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from portal.models import ApiKey, ServiceToken
from portal.models.base import utcnow

API_KEY_PREFIX = "stoa_"
SERVICE_TOKEN_PREFIX = "stoa_svc_"
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


def digest(secret: str) -> str:
    """High-entropy secrets need no slow hash; SHA-256 makes the stored value useless alone."""
    return hashlib.sha256(secret.encode()).hexdigest()


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


def find_api_key(session: Session, secret: str) -> ApiKey | None:
    if not secret.startswith(API_KEY_PREFIX) or secret.startswith(SERVICE_TOKEN_PREFIX):
        return None
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == digest(secret))).first()
    if key is None or key.revoked_at is not None:
        return None
    return key


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


def find_service_token(session: Session, secret: str) -> ServiceToken | None:
    if not secret.startswith(SERVICE_TOKEN_PREFIX):
        return None
    token = session.exec(
        select(ServiceToken).where(ServiceToken.token_hash == digest(secret))
    ).first()
    if token is None or token.revoked_at is not None:
        return None
    token.last_used_at = utcnow()
    return token
