"""``POST /api/v1/portals/{id}/messages``: reference 003's "post discussion messages".

The portal worker's notes, announcements and notifications are in ``blueprints.api.portal.notes``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from blueprints.api import api_blueprint
from blueprints.api.auth import require_scope
from blueprints.api.v1.portals import PortalPath
from portal.db import get_session
from portal.models.note import NoteCreate
from services import notes

bp = api_blueprint(
    "api_messages",
    __name__,
    url_prefix="/api/v1",
    tag="Messages",
    description="Discussion messages on a portal (notes on its projects).",
)

_MESSAGE_NAMES = {"body": "content", "resource_id": "project_id"}


class MessageIn(NoteCreate):
    """A note: ``content``, on ``project_id`` (default: the portal's newest active project),
    or a reply (``parent_id``)."""

    model_config = ConfigDict(
        alias_generator=lambda name: _MESSAGE_NAMES.get(name, name), populate_by_name=True
    )


class MessageOut(BaseModel):
    id: int
    portal_id: int
    project_id: int
    parent_id: int | None
    content: str
    created_at: datetime


@bp.post(
    "/portals/<int:portal_id>/messages",
    summary="Post a discussion message",
    responses={201: MessageOut},
)
def post_message(path: PortalPath, body: MessageIn) -> tuple[dict[str, Any], int]:
    """A note on one of the portal's projects (default: its newest active project), or a reply
    (``parent_id``). Scope portal:write; records ``message_sent`` and notifies mentions."""
    actor = require_scope("portal:write")
    note = notes.post_portal_message(
        get_session(), actor=actor, portal_id=path.portal_id, data=body
    )
    return MessageOut(
        id=note.id or 0,
        portal_id=path.portal_id,
        project_id=note.resource_id,
        parent_id=note.parent_id,
        content=note.body,
        created_at=note.created_at,
    ).model_dump(mode="json"), 201
