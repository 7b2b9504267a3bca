"""/api/v1: verify, portals (reference 003), their activity and invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import Session

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import api_actor, require_scope, require_staff
from blueprints.api.schemas import MAX_ID, ApiModel, Page, PageQuery, page_of
from portal.db import get_session
from portal.errors import BadRequest, Invalid
from portal.models import Invitation, Portal
from portal.models.company import PortalCreate, PortalStatusValue, PortalUpdate
from portal.models.user import InviteCreate
from portal.tenancy import Actor
from portal.web.urls import base_url
from services.accounts import auth as accounts
from services.portals import admin as portal_admin
from services.portals.admin import PortalRecord

bp = api_blueprint(
    "api_portals",
    __name__,
    url_prefix="/api/v1",
    tag="Portals",
    description="Client portals, their activity and invitations (reference 003).",
)

API_VERSION = "1.0.0"


class VerifyOut(BaseModel):
    success: bool
    site: str
    version: str
    key_type: Literal["company", "agency", "session", "worker"]
    company_id: int | None
    scopes: list[str]


class PortalOut(BaseModel):
    """Reference 003's portal object (integer ids, ISO-8601 UTC times)."""

    id: int
    title: str
    slug: str
    url: str
    status: PortalStatusValue
    accent_color: str | None
    allow_uploads: bool
    client_user_id: int | None
    sub_client_ids: list[int]
    manager_ids: list[int]
    template_id: int | None
    template_applied: datetime | None
    created_at: datetime


class PortalListQuery(PageQuery):
    status: PortalStatusValue | None = None
    search: str | None = Field(default=None, max_length=200)
    sort: Literal["title", "-title", "created_at", "-created_at", "id", "-id"] = "title"


class PortalPath(ApiModel):
    portal_id: int = Field(ge=1, le=MAX_ID)


class ActivityOut(BaseModel):
    id: int
    user_id: int | None
    action: str
    object_label: str
    description: str
    created_at: datetime


class InviteOut(BaseModel):
    message: str
    email: str


@path_object("portal_id")
def _load_portal(session: Session, actor: Actor, portal_id: int) -> Portal:
    return portal_admin.get_portal(session, actor=actor, portal_id=portal_id)


def portal_out(record: PortalRecord) -> dict:
    p = record.portal
    return PortalOut(
        id=p.id,
        title=p.title,
        slug=p.slug,
        url=f"{base_url()}/p/{p.slug}/",
        status=p.status,
        accent_color=p.accent_color,
        allow_uploads=p.allow_uploads,
        client_user_id=record.client_user_id,
        sub_client_ids=record.sub_client_ids,
        manager_ids=record.manager_ids,
        template_id=p.template_id,
        template_applied=p.template_applied_at,
        created_at=p.created_at,
    ).model_dump(mode="json")


@bp.get("/verify", summary="Check an API key", responses={200: VerifyOut})
def verify():
    """Confirms the credentials work and says what they are."""
    actor = api_actor()
    if actor.kind == "api_key":
        key_type = "agency" if actor.company_id is None else "company"
    else:
        key_type = "worker" if actor.kind == "worker" else "session"
    return VerifyOut(
        success=True,
        site=base_url(),
        version=API_VERSION,
        key_type=key_type,
        company_id=actor.company_id,
        scopes=sorted(actor.scopes) if actor.scopes is not None else ["*"],
    ).model_dump(mode="json")


@bp.get("/portals", summary="List portals", responses={200: Page[PortalOut]})
def list_portals(query: PortalListQuery):
    """Portals the caller may see: a company key its group, an agency key all. Scope portal:read.

    Returns ``{items, limit, offset, total}`` (the reference returns a bare array; Stoa pages)."""
    actor = require_scope("portal:read")
    records, total = portal_admin.list_portals(
        get_session(),
        actor=actor,
        limit=query.clamped_limit,
        offset=query.offset,
        status=query.status,
        search=query.search,
        sort=query.sort,
    )
    return page_of([portal_out(r) for r in records], total, query)


@bp.post("/portals", summary="Create a portal", responses={201: PortalOut})
def create_portal(body: PortalCreate):
    """Creates the client company and its portal. Agency keys and staff; scope portal:write."""
    actor = require_staff("portal:write")
    return portal_out(portal_admin.create_portal(get_session(), actor=actor, data=body)), 201


@bp.get("/portals/<int:portal_id>", summary="Get a portal", responses={200: PortalOut})
def get_portal(path: PortalPath):
    """One portal; another tenant's portal is a 404. Scope portal:read."""
    actor = require_scope("portal:read")
    return portal_out(
        portal_admin.portal_record(get_session(), actor=actor, portal_id=path.portal_id)
    )


@bp.patch("/portals/<int:portal_id>", summary="Update a portal", responses={200: PortalOut})
def patch_portal(path: PortalPath, body: PortalUpdate):
    """Change title, status, accent colour or uploads. Staff managing it; scope portal:write."""
    actor = require_scope("portal:write")
    record = portal_admin.update_portal(
        get_session(), actor=actor, portal_id=path.portal_id, data=body
    )
    return portal_out(record)


@bp.get(
    "/portals/<int:portal_id>/activity",
    summary="A portal's activity log",
    responses={200: Page[ActivityOut]},
)
def portal_activity(path: PortalPath, query: PageQuery):
    """Newest first, paged with limit/offset. Scope portal:read."""
    actor = require_scope("portal:read")
    rows, total = portal_admin.portal_activity(
        get_session(),
        actor=actor,
        portal_id=path.portal_id,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    items = [
        ActivityOut(
            id=r.id,
            user_id=r.actor_id,
            action=r.action,
            object_label=r.object_label,
            description=r.description,
            created_at=r.created_at,
        ).model_dump(mode="json")
        for r in rows
    ]
    return page_of(items, total, query)


@bp.post(
    "/portals/<int:portal_id>/invite",
    summary="Invite a client to a portal",
    responses={200: InviteOut},
)
def invite_to_portal(path: PortalPath, body: InviteCreate):
    """Emails a one-time invitation link. 400 invalid_email, 409 user_exists, 429 rate_limited
    (more than 20 an hour per portal). Client admins, company keys, staff; scope users:write."""
    actor = require_scope("users:write")
    inv = send_invite(actor=actor, portal_id=path.portal_id, data=body)
    return InviteOut(message=f"Invitation sent to {inv.email}.", email=inv.email).model_dump()


def send_invite(*, actor: Actor, portal_id: int, data: InviteCreate) -> Invitation:
    """Shared with the inbound webhook: SPEC §4 errors, an invalid email is a 400."""
    try:
        return accounts.invite_to_portal(
            get_session(), actor=actor, portal_id=portal_id, data=data, base_url=base_url()
        )
    except Invalid as exc:
        if exc.code == "invalid_email":
            raise BadRequest(exc.message, code="invalid_email", errors=exc.errors) from None
        raise
