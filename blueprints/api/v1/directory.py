"""/api/v1/users and /api/v1/companies: people and client companies (references 002, 004)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import request
from pydantic import BaseModel, Field
from sqlmodel import Session

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import require_scope, require_staff
from blueprints.api.schemas import (
    MAX_ID,
    ApiModel,
    Empty,
    GatedModel,
    Page,
    PageQuery,
    gated,
    page_of,
)
from portal.db import get_session
from portal.errors import Invalid
from portal.models import Company, User
from portal.models.user import PersonCreate, PersonUpdate
from portal.tenancy import Actor, get_for_actor
from services.accounts import people

bp = api_blueprint(
    "api_directory",
    __name__,
    url_prefix="/api/v1",
    tag="People and companies",
    description="Every person (client users and staff) and the client companies.",
)


class UserOut(
    GatedModel,
    scope="obj.user",
    label="user",
    # pages: what a person row shows, by the field it shows
    attributes={"display_name": "name", "role_label": "role", "status": "is_active"},
):
    """The union of the user fields of references 002 and 004; ids are strings. Staff read the
    fields their ``obj.user.<field>`` nodes grant."""

    id: str
    name: str
    email: str
    role: str = Field(description="staff, or the client role: viewer, collaborator, admin")
    is_staff: bool
    client_role: str | None
    company_id: str | None
    company: str | None
    is_active: bool
    is_blocked: bool
    verified: bool
    sso_uid: str | None
    profile_url: str | None
    avatar_small_url: str | None
    counter_votes: int
    counter_comments: int
    counter_posts: int
    counter_comment_votes: int
    admin_accepted: bool | None
    sso_avatar_url: str | None
    segment_1: str | None
    segment_2: str | None
    segment_3: str | None
    segment_4: str | None
    segment_5: str | None
    segment_6: str | None
    segment_7: str | None
    segment_8: str | None
    segment_9: str | None
    segment_10: str | None
    segment_mrr: Decimal | None = Field(description="Decimal string")
    segment_arr: Decimal | None = Field(description="Decimal string")
    segment_ltv: Decimal | None = Field(description="Decimal string")
    email_unsubscribed_at: datetime | None
    last_login_at: datetime | None
    created_at: datetime


class UserData(BaseModel):
    data: UserOut


class UserList(BaseModel):
    data: list[UserOut]


class UserPage(BaseModel):
    """A page of users: ``data`` as every reference 002 list, with SPEC §7's paging."""

    data: list[UserOut]
    limit: int
    offset: int
    skip: int
    total: int
    hasMore: bool  # noqa: N815 - reference 002's name


class UserListQuery(PageQuery):
    skip: int | None = Field(
        default=None, ge=0, le=MAX_ID, description="Reference 002's name for offset"
    )
    company_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    is_staff: bool | None = None
    search: str | None = Field(default=None, max_length=200)


class UserIn(PersonCreate):
    company_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Agency keys: the user's company"
    )


class EmailQuery(ApiModel):
    email: str = Field(min_length=1, max_length=254)


class UserPath(ApiModel):
    user_id: int = Field(ge=1, le=MAX_ID)


class CompanyOut(
    GatedModel,
    scope="obj.company",
    label="company",
    # pages: a company's group (its parent, or its children) and portal show its parent_id
    # and portal_id
    attributes={
        "parent_name": "parent_id",
        "parent": "parent_id",
        "children": "parent_id",
        "portal": "portal_id",
    },
):
    """A client company; staff read the fields their ``obj.company.<field>`` nodes grant."""

    id: str
    name: str
    slug: str
    parent_id: str | None
    portal_id: str | None
    created_at: datetime


class CompanyListQuery(PageQuery):
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    search: str | None = Field(default=None, max_length=200)


class CompanyPath(ApiModel):
    company_id: int = Field(ge=1, le=MAX_ID)


def _sid(value: int | None) -> str | None:
    return None if value is None else str(value)


def user_out(
    user: User, company_name: str | None, actor: Actor, counts: people.Counters | None = None
) -> dict:
    counts = counts or people.Counters()
    return gated(
        UserOut(
            id=str(user.id),
            name=user.display_name,
            email=user.email,
            role="staff" if user.is_staff else (user.client_role or "viewer"),
            is_staff=user.is_staff,
            client_role=None if user.is_staff else user.client_role,
            company_id=_sid(user.company_id),
            company=company_name,
            is_active=user.is_active,
            is_blocked=not user.is_active,
            verified=user.verified if user.verified is not None else user.password_hash is not None,
            sso_uid=user.sso_uid,
            profile_url=None,
            avatar_small_url=user.sso_avatar_url,
            counter_votes=counts.votes,
            counter_comments=counts.comments,
            counter_posts=counts.posts,
            counter_comment_votes=counts.comment_votes,
            admin_accepted=user.admin_accepted,
            sso_avatar_url=user.sso_avatar_url,
            segment_1=user.segment_1,
            segment_2=user.segment_2,
            segment_3=user.segment_3,
            segment_4=user.segment_4,
            segment_5=user.segment_5,
            segment_6=user.segment_6,
            segment_7=user.segment_7,
            segment_8=user.segment_8,
            segment_9=user.segment_9,
            segment_10=user.segment_10,
            segment_mrr=user.segment_mrr,
            segment_arr=user.segment_arr,
            segment_ltv=user.segment_ltv,
            email_unsubscribed_at=user.email_unsubscribed_at,
            last_login_at=user.last_login_at,
            created_at=user.created_at,
        ),
        actor,
    )


def company_out(company: Company, portal_id: int | None, actor: Actor) -> dict:
    return gated(
        CompanyOut(
            id=str(company.id),
            name=company.name,
            slug=company.slug,
            parent_id=_sid(company.parent_id),
            portal_id=_sid(portal_id),
            created_at=company.created_at,
        ),
        actor,
    )


@path_object("user_id")
def _load_user(session: Session, actor: Actor, user_id: int) -> User:
    """A user the actor may see; everyone may see themselves (a PM's own roles, /me checks)."""
    if actor.user_id is not None and user_id == actor.user_id:
        own = session.get(User, user_id)
        if own is not None:
            return own
    return get_for_actor(session, User, user_id, actor)


@path_object("company_id")
def _load_company(session: Session, actor: Actor, company_id: int) -> Company:
    return get_for_actor(session, Company, company_id, actor)


def users_out(session: Any, rows: list[tuple[User, str | None]], actor: Actor) -> list[dict]:
    """Users with their feedback counters (four queries for any number of users)."""
    counts = people.counters(session, [u.id or 0 for u, _ in rows])
    return [user_out(u, name, actor, counts.get(u.id or 0)) for u, name in rows]


def users_of(session: Any, users: list[User], actor: Actor) -> list[dict]:
    """:func:`users_out` for bare users (their companies' names in one more query)."""
    names = people.company_names(session, {u.company_id for u in users if u.company_id})
    return users_out(session, [(u, names.get(u.company_id or 0)) for u in users], actor)


def _one(user: User, company: str | None, actor: Actor) -> dict:
    return {"data": users_out(get_session(), [(user, company)], actor)[0]}


@bp.get("/users", summary="List users", responses={200: UserPage})
def list_users(query: UserListQuery):
    """A company key sees its company group's users, an agency key everyone. ``skip``
    (reference 002) is another name for ``offset``. Scope users:read."""
    actor = require_scope("users:read")
    offset = query.skip if query.skip is not None else query.offset
    session = get_session()
    rows, total = people.list_users(
        session,
        actor=actor,
        limit=query.clamped_limit,
        offset=offset,
        company_id=query.company_id,
        is_staff=query.is_staff,
        search=query.search,
    )
    return {
        "data": users_out(session, rows, actor),
        "limit": query.clamped_limit,
        "offset": offset,
        "skip": offset,
        "total": total,
        "hasMore": offset + len(rows) < total,
    }


@bp.get("/users/find_by_email", summary="Find a user by email", responses={200: UserData})
def find_user_by_email(query: EmailQuery):
    """``{"data": user}`` as reference 002; 404 when no visible user has it. Scope users:read."""
    actor = require_scope("users:read")
    user, company = people.find_user_by_email(get_session(), actor=actor, email=query.email)
    return _one(user, company, actor)


@bp.get("/users/<int:user_id>", summary="Get a user", responses={200: UserData})
def get_user(path: UserPath):
    """``{"data": user}``; another tenant's user is a 404. Scope users:read."""
    actor = require_scope("users:read")
    user, company = people.get_user(get_session(), actor=actor, user_id=path.user_id)
    return _one(user, company, actor)


@bp.post("/users", summary="Create user", responses={200: UserData})
def create_user(body: UserIn):
    """A client user of the key's company (an agency key names ``company_id``): with a
    ``password`` ready to sign in, else emailed how to sign in unless ``skip_email``.
    ``role`` admin or member (or Stoa's viewer / collaborator). 422 "User already exists".
    Scope users:write."""
    actor = require_scope("users:write")
    company_id = body.company_id or actor.company_id
    if company_id is None:
        raise Invalid(errors={"company_id": ["Name the company the user belongs to."]})
    user, company = people.create_user(
        get_session(), actor=actor, company_id=company_id, data=body, base_url=request.host_url
    )
    return _one(user, company, actor)


def _update(path: UserPath, body: PersonUpdate) -> dict:
    actor = require_scope("users:write")
    user, company = people.update_user(get_session(), actor=actor, user_id=path.user_id, data=body)
    return _one(user, company, actor)


@bp.put("/users/<int:user_id>", summary="Update user", responses={200: UserData})
def put_user(path: UserPath, body: PersonUpdate):
    """Only the fields sent change (a null email, role, name or password keeps its value).
    ``is_blocked`` true deactivates the user and ends their sessions. Scope users:write."""
    return _update(path, body)


@bp.patch("/users/<int:user_id>", summary="Update user (PATCH)", responses={200: UserData})
def patch_user(path: UserPath, body: PersonUpdate):
    """As PUT. Scope users:write."""
    return _update(path, body)


@bp.delete("/users/<int:user_id>", summary="Delete user", responses={200: Empty})
def delete_user(path: UserPath):
    """``{}``. A client user only; nobody deletes themself (409). Scope users:write."""
    actor = require_scope("users:write")
    people.delete_user(get_session(), actor=actor, user_id=path.user_id)
    return {}


@bp.get("/companies", summary="List client companies", responses={200: Page[CompanyOut]})
def list_companies(query: CompanyListQuery):
    """Staff and agency keys only (scope portal:read); PMs see their assigned companies."""
    actor = require_staff("portal:read")
    rows, total = people.list_companies(
        get_session(),
        actor=actor,
        limit=query.clamped_limit,
        offset=query.offset,
        parent_id=query.parent_id,
        search=query.search,
    )
    return page_of([company_out(c, pid, actor) for c, pid in rows], total, query)


@bp.get("/companies/<int:company_id>", summary="Get a client company", responses={200: CompanyOut})
def get_company(path: CompanyPath):
    """Staff and agency keys only (scope portal:read)."""
    actor = require_staff("portal:read")
    company, portal_id = people.get_company(get_session(), actor=actor, company_id=path.company_id)
    return company_out(company, portal_id, actor)
