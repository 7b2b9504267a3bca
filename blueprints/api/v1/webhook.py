"""POST /api/v1/webhook: inbound automation actions (reference 003) for Zapier, Make, n8n…"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, RootModel, model_validator

from blueprints.api import api_blueprint
from blueprints.api.auth import require_scope, require_staff
from blueprints.api.schemas import MAX_ID, ApiModel
from blueprints.api.v1.portals import PortalOut, portal_out, send_invite
from portal.db import get_session
from portal.models.company import PortalCreate, PortalUpdate
from portal.models.user import InviteCreate
from portal.validation import checked_input
from services.portals import admin as portal_admin

bp = api_blueprint(
    "api_webhook",
    __name__,
    url_prefix="/api/v1",
    tag="Inbound webhook",
    description="Action-based payloads from automation tools, authenticated with an API key "
    "(X-API-Key or Bearer).",
)


class CreatePortalAction(PortalCreate):
    action: Literal["create_portal"]


class SendInviteAction(InviteCreate):
    action: Literal["send_invite"]
    portal_id: int = Field(ge=1, le=MAX_ID)


class AssignUserAction(ApiModel):
    action: Literal["assign_user"]
    portal_id: int = Field(ge=1, le=MAX_ID)
    email: str = Field(min_length=1, max_length=254)


class UpdatePortalAction(PortalUpdate):
    action: Literal["update_portal"]
    portal_id: int = Field(ge=1, le=MAX_ID)


class WebhookAction(
    RootModel[
        Annotated[
            CreatePortalAction | SendInviteAction | AssignUserAction | UpdatePortalAction,
            Field(discriminator="action"),
        ]
    ]
):
    """One of the actions, chosen by ``action``."""

    @model_validator(mode="before")
    @classmethod
    def _checked_input(cls, data: Any) -> Any:
        return checked_input(data)  # a root model is no ApiModel: no body means no action


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
        record = portal_admin.create_portal(session, actor=actor, data=payload)
        return {"success": True, "action": payload.action, "portal": portal_out(record)}, 201
    if isinstance(payload, SendInviteAction):
        actor = require_scope("users:write")
        inv = send_invite(actor=actor, portal_id=payload.portal_id, data=payload)
        return {
            "success": True,
            "action": payload.action,
            "message": f"Invitation sent to {inv.email}.",
            "email": inv.email,
        }
    if isinstance(payload, AssignUserAction):
        actor = require_staff("users:write")
        user, record = portal_admin.assign_user_by_email(
            session, actor=actor, portal_id=payload.portal_id, email=payload.email
        )
        return {
            "success": True,
            "action": payload.action,
            "user_id": user.id,
            "portal": portal_out(record),
        }
    actor = require_staff("portal:write")
    record = portal_admin.update_portal(
        session, actor=actor, portal_id=payload.portal_id, data=payload
    )
    return {"success": True, "action": payload.action, "portal": portal_out(record)}
