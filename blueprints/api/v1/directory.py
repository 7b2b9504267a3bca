"""/api/v1/users and /api/v1/companies: people and client companies (references 002, 004)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import Session

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import require_scope, require_staff
from blueprints.api.schemas import MAX_ID, ApiModel, GatedModel, Page, PageQuery, gated, page_of
from portal.db import get_session
from portal.models import Company, User
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
    last_login_at: datetime | None
    created_at: datetime


class UserData(BaseModel):
    data: UserOut


class UserList(BaseModel):
    data: list[UserOut]


class UserListQuery(PageQuery):
    company_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    is_staff: bool | None = None
    search: str | None = Field(default=None, max_length=200)


class EmailQuery(ApiModel):
    email: str = Field(min_length=1, max_length=254)


class UserPath(ApiModel):
    user_id: int = Field(ge=1, le=MAX_ID)


class CompanyOut(
    GatedModel,
    scope="obj.company",
    label="company",
    # pages: a company row's group and portal show its parent_id and portal_id
    attributes={"parent_name": "parent_id", "parent": "parent_id", "portal": "portal_id"},
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


def user_out(user: User, company_name: str | None, actor: Actor) -> dict:
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
            verified=user.password_hash is not None,
            sso_uid=None,
            profile_url=None,
            avatar_small_url=None,
            counter_votes=0,
            counter_comments=0,
            counter_posts=0,
            counter_comment_votes=0,
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


@bp.get("/users", summary="List users", responses={200: Page[UserOut]})
def list_users(query: UserListQuery):
    """A company key sees its company group's users, an agency key everyone. Scope users:read."""
    actor = require_scope("users:read")
    rows, total = people.list_users(
        get_session(),
        actor=actor,
        limit=query.clamped_limit,
        offset=query.offset,
        company_id=query.company_id,
        is_staff=query.is_staff,
        search=query.search,
    )
    return page_of([user_out(u, name, actor) for u, name in rows], total, query)


@bp.get("/users/find_by_email", summary="Find a user by email", responses={200: UserData})
def find_user_by_email(query: EmailQuery):
    """``{"data": user}`` as reference 002; 404 when no visible user has it. Scope users:read."""
    actor = require_scope("users:read")
    user, company = people.find_user_by_email(get_session(), actor=actor, email=query.email)
    return {"data": user_out(user, company, actor)}


@bp.get("/users/<int:user_id>", summary="Get a user", responses={200: UserData})
def get_user(path: UserPath):
    """``{"data": user}``; another tenant's user is a 404. Scope users:read."""
    actor = require_scope("users:read")
    user, company = people.get_user(get_session(), actor=actor, user_id=path.user_id)
    return {"data": user_out(user, company, actor)}


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
