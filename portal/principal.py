"""Who is making this request, as an Actor: a session user, an API key, or the portal worker.

* A signed-in person: :func:`current_actor` (computed once per request).
* An API key (``stoa_…``): :func:`find_api_key`, then :func:`actor_for_api_key`. A company key acts
  as that company's client admin; an agency key (no company) acts as staff on every portal. Both
  are limited by the key's scopes.
* The portal worker's service token (``stoa_svc_…``): :func:`find_service_token`, then
  :func:`actor_for_worker` from the ``X-Portal-*`` headers (reference 000). The group list can only
  narrow the company's real group.

Which credential a route accepts, rate limits and CSRF are HTTP matters: ``blueprints/api/auth.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta

from flask import g
from flask import session as flask_session
from flask_login import current_user
from sqlalchemy import or_, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from portal.db import BOOKKEEPING, after_commit, get_db, get_session
from portal.errors import BadRequest, Forbidden, NotFound
from portal.extensions import login_manager
from portal.models import ApiKey, ClientRole, Company, ServiceToken, User, UserSession
from portal.models.base import utcnow
from portal.tenancy import ANONYMOUS, CLIENT_ROLE_NODES, Actor, actor_for_user, group_company_ids
from portal.web.args import MAX_ID, parse_int

API_KEY_PREFIX = "stoa_"
SERVICE_TOKEN_PREFIX = "stoa_svc_"
WORKER_HEADERS = (
    "X-Portal-Company-Id",
    "X-Portal-User-Role",
    "X-Portal-User-Id",
    "X-Portal-Group-Company-Ids",
)


def digest(secret: str) -> str:
    """High-entropy secrets need no slow hash; SHA-256 makes the stored value useless alone."""
    return hashlib.sha256(secret.encode()).hexdigest()


# Signed-in people ---------------------------------------------------------------------------


# The cookie's key of the browser's server-side session (a UserSession row).
SESSION_KEY = "_sid"
SESSION_LIFETIME = timedelta(days=14)  # absolute: sign in again after two weeks


def remember_session(key: str) -> None:
    """After flask-login's ``login_user``: the cookie names its server-side session."""
    flask_session[SESSION_KEY] = key


@login_manager.user_loader
def _load_user(raw_id: str) -> User | None:
    """The session's user, only while its server-side session lives (sign-out deletes it)."""
    raw_user, _, raw_version = raw_id.partition(":")
    user_id, version = parse_int(raw_user), parse_int(raw_version)
    key = flask_session.get(SESSION_KEY)
    if user_id is None or version is None or not isinstance(key, str) or not key:
        return None
    # the children of the user's company ride along (one row each): the actor's group needs
    # them, and a separate query was one more round trip on every signed-in request
    rows = (
        get_session()
        .exec(
            select(User, col(_CHILD_COMPANY.id))
            .join(UserSession, col(UserSession.user_id) == User.id)
            .outerjoin(_CHILD_COMPANY, col(_CHILD_COMPANY.parent_id) == col(User.company_id))
            .where(
                User.id == user_id,
                col(UserSession.key_hash) == digest(key),
                col(UserSession.created_at) >= utcnow() - SESSION_LIFETIME,
            )
        )
        .all()
    )
    user = rows[0][0] if rows else None
    if user is None or not user.is_active or user.session_version != version:
        return None
    g.session_user_children = (user.id, frozenset(c for _, c in rows if c is not None))
    return user


# Built once: an alias copies every column of its table.
_CHILD_COMPANY = aliased(Company)


def current_actor() -> Actor:
    if "actor" not in g:
        if current_user.is_authenticated:
            user = current_user._get_current_object()
            known = g.get("session_user_children")
            children = known[1] if known is not None and known[0] == user.id else None
            g.actor = actor_for_user(get_session(), user, child_company_ids=children)
        else:
            g.actor = ANONYMOUS
    actor: Actor = g.actor
    return actor


def set_actor(actor: Actor) -> None:
    """Used by token authentication (API keys, the portal worker)."""
    g.actor = actor


# API keys and the service token -------------------------------------------------------------


def is_service_token(secret: str) -> bool:
    return secret.startswith(SERVICE_TOKEN_PREFIX)


def find_api_key(session: Session, secret: str) -> ApiKey | None:
    """The live key with this secret (revoked keys and service tokens are not keys)."""
    if not secret.startswith(API_KEY_PREFIX) or is_service_token(secret):
        return None
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == digest(secret))).first()
    if key is None or key.revoked_at is not None:
        return None
    return key


def find_service_token(session: Session, secret: str) -> ServiceToken | None:
    """The live service token with this secret; its use is recorded."""
    if not is_service_token(secret):
        return None
    token = session.exec(
        select(ServiceToken).where(ServiceToken.token_hash == digest(secret))
    ).first()
    if token is None or token.revoked_at is not None:
        return None
    record_use(session, token)
    return token


# A credential's last use is written at most this often, after the request and in its own short
# transaction: every request of one key (the portal worker has one token) updating the same row
# inside the request transaction made them wait for each other's commit, one at a time.
USE_RECORD_SECONDS = 60


def record_use(session: Session, credential: ApiKey | ServiceToken) -> None:
    """Note that ``credential`` was used now, without taking its row lock in this transaction."""
    now = utcnow()
    last = credential.last_used_at
    if last is not None and now - last < timedelta(seconds=USE_RECORD_SECONDS):
        return
    # the object shows the use at once; the row is written after the request commits
    set_committed_value(credential, "last_used_at", now)
    table = type(credential).__table__  # type: ignore[union-attr]
    row_id = credential.id
    stale = now - timedelta(seconds=USE_RECORD_SECONDS)

    def write() -> None:
        with get_db().session_factory() as own:
            own.execute(
                update(table)
                .where(
                    table.c.id == row_id,
                    or_(table.c.last_used_at.is_(None), table.c.last_used_at < stale),
                )
                .values(last_used_at=now),
                execution_options={BOOKKEEPING: True},
            )
            own.commit()

    after_commit(session, write)


def actor_for_api_key(session: Session, key: ApiKey) -> Actor:
    """The actor a key speaks as (its use is recorded): agency-wide staff, or a client admin."""
    record_use(session, key)
    scopes = frozenset(key.scopes or [])
    label = f"API key {key.name}"
    if key.company_id is None:
        return Actor(
            kind="api_key",
            nodes=frozenset({"*"}),
            company_ids=None,
            label=label,
            scopes=scopes,
            api_key_id=key.id,
        )
    return Actor(
        kind="api_key",
        company_id=key.company_id,
        role=ClientRole.admin.value,
        nodes=frozenset(CLIENT_ROLE_NODES[ClientRole.admin]),
        company_ids=group_company_ids(session, key.company_id),
        label=label,
        scopes=scopes,
        api_key_id=key.id,
    )


def _header_id(name: str, raw: str) -> int:
    value = parse_int(raw, minimum=1)
    if value is None:
        raise BadRequest(f"{name} must be an id from 1 to {MAX_ID}.", code="invalid_header")
    return value


def actor_for_worker(session: Session, headers: Mapping[str, str]) -> Actor:
    """The client the portal worker speaks for (reference 000), never wider than its real group."""
    raw_company = (headers.get("X-Portal-Company-Id") or "").strip()
    if not raw_company:
        raise BadRequest("X-Portal-Company-Id is required.", code="missing_company")
    company_id = _header_id("X-Portal-Company-Id", raw_company)
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
        user_id = _header_id("X-Portal-User-Id", raw_user)
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
            _header_id("X-Portal-Group-Company-Ids", part)
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
