"""POST /api/v1/webhook: inbound automation actions (reference 003) for Zapier, Make, n8n…"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, RootModel

from blueprints.api import api_blueprint
from blueprints.api.auth import require_scope, require_staff
from blueprints.api.schemas import MAX_ID, ApiModel
from blueprints.api.v1.portals import (
    HEX_PATTERN,
    InviteIn,
    PortalOut,
    StatusValue,
    portal_out,
    send_invite,
)
from portal.db import get_session
from portal.errors import NotFound
from services.accounts import people
from services.portals import admin as portal_admin

bp = api_blueprint(
    "api_webhook",
    __name__,
    url_prefix="/api/v1",
    tag="Inbound webhook",
    description="Action-based payloads from automation tools, authenticated with an API key "
    "(X-API-Key or Bearer).",
)


class CreatePortalAction(ApiModel):
    action: Literal["create_portal"]
    title: str = Field(min_length=1, max_length=200)
    status: StatusValue = "active"
    accent_color: str = Field(default="", pattern=HEX_PATTERN)
    allow_uploads: bool = True
    client_email: str | None = Field(
        default=None, max_length=254, description="Assign this existing user as the client."
    )
    template_id: int = Field(default=0, ge=0, le=MAX_ID)


class SendInviteAction(ApiModel):
    action: Literal["send_invite"]
    portal_id: int = Field(ge=1, le=MAX_ID)
    email: str = Field(max_length=254)
    name: str = Field(default="", max_length=200)
    role: Literal["viewer", "collaborator", "admin"] = "collaborator"


class AssignUserAction(ApiModel):
    action: Literal["assign_user"]
    portal_id: int = Field(ge=1, le=MAX_ID)
    email: str = Field(min_length=1, max_length=254)


class UpdatePortalAction(ApiModel):
    action: Literal["update_portal"]
    portal_id: int = Field(ge=1, le=MAX_ID)
    title: str | None = Field(default=None, min_length=1, max_length=200)
    status: StatusValue | None = None
    accent_color: str | None = Field(default=None, pattern=HEX_PATTERN)
    allow_uploads: bool | None = None


class WebhookAction(
    RootModel[
        Annotated[
            CreatePortalAction | SendInviteAction | AssignUserAction | UpdatePortalAction,
            Field(discriminator="action"),
        ]
    ]
):
    """One of the actions, chosen by ``action``."""


class WebhookResult(BaseModel):
    success: bool
    action: str
    portal: PortalOut | None = None
    message: str | None = None
    email: str | None = None
    user_id: int | None = None


@bp.post(
    "/webhook",
    summary="Run an automation action",
    responses={200: WebhookResult, 201: WebhookResult},
)
def inbound_webhook(body: WebhookAction):
    """create_portal (201) and update_portal and assign_user need an agency key (scope
    portal:write / users:write); send_invite also works with the portal's company key."""
    payload = body.root
    session = get_session()
    if isinstance(payload, CreatePortalAction):
        actor = require_staff("portal:write")
        record = portal_admin.create_portal(
            session,
            actor=actor,
            title=payload.title,
            status=payload.status,
            accent_color=payload.accent_color,
            allow_uploads=payload.allow_uploads,
            client_email=payload.client_email,
            template_id=payload.template_id or None,
        )
        return {"success": True, "action": payload.action, "portal": portal_out(record)}, 201
    if isinstance(payload, SendInviteAction):
        actor = require_scope("users:write")
        inv = send_invite(
            actor=actor,
            portal_id=payload.portal_id,
            body=InviteIn(email=payload.email, name=payload.name, role=payload.role),
        )
        return {
            "success": True,
            "action": payload.action,
            "message": f"Invitation sent to {inv.email}.",
            "email": inv.email,
        }
    if isinstance(payload, AssignUserAction):
        actor = require_staff("users:write")
        portal = portal_admin.get_portal(session, actor=actor, portal_id=payload.portal_id)
        try:
            user, _ = people.find_user_by_email(session, actor=actor, email=payload.email)
        except NotFound:
            raise NotFound("No user with that email.", code="user_not_found") from None
        portal_admin.assign_client(session, actor=actor, portal=portal, user=user)
        return {
            "success": True,
            "action": payload.action,
            "user_id": user.id,
            "portal": portal_out(portal_admin.record_of(session, portal)),
        }
    actor = require_staff("portal:write")
    record = portal_admin.update_portal(
        session,
        actor=actor,
        portal_id=payload.portal_id,
        changes=payload.model_dump(exclude_unset=True, exclude={"action", "portal_id"}),
    )
    return {"success": True, "action": payload.action, "portal": portal_out(record)}
