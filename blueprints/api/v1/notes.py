"""Notes, announcements and notifications over JSON.

The portal worker family (reference 000: camelCase, string ids) under /api/portal, and
``POST /api/v1/portals/{id}/messages`` (reference 003's "post discussion messages").
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from blueprints.api import WORKER_SECURITY, api_blueprint, path_object
from blueprints.api.auth import require_client, require_scope
from blueprints.api.schemas import MAX_ID, ApiModel, IdString, PageQuery
from blueprints.api.v1.portals import PortalPath
from portal.db import get_session
from portal.errors import Forbidden, Invalid, NotFound
from portal.models import Announcement, Note, Notification, User
from portal.tenancy import Actor
from portal.text import render_markdown
from services import announcements, notes
from services.events import notifications
from services.portals import admin as portal_admin

worker_bp = api_blueprint(
    "api_worker_notes",
    __name__,
    url_prefix="/api/portal",
    tag="Portal worker: notes and notifications",
    description="Notes, announcements and the signed-in user's notifications (reference 000).",
    security=WORKER_SECURITY,
)
v1_bp = api_blueprint(
    "api_messages",
    __name__,
    url_prefix="/api/v1",
    tag="Messages",
    description="Discussion messages on a portal (notes on its projects).",
)


# Shapes -------------------------------------------------------------------------------------


class NoteOut(BaseModel):
    id: str
    companyId: str
    resourceType: str
    resourceId: str
    parentId: str | None
    authorId: str | None
    authorName: str
    content: str
    contentHtml: str = Field(description="The content rendered from markdown and sanitised.")
    isInternal: bool
    createdAt: datetime
    editedAt: datetime | None


class NotesOut(BaseModel):
    notes: list[NoteOut]


class NoteCreate(ApiModel):
    resourceType: Literal["project", "deliverable", "invoice", "budget"] = "project"
    resourceId: IdString | None = Field(default=None, max_length=12, pattern=r"^\d{1,10}$")
    content: str = Field(min_length=1, max_length=notes.MAX_BODY)
    parentId: IdString | None = Field(default=None, max_length=12, pattern=r"^\d{1,10}$")
    portalUserId: IdString | None = Field(default=None, max_length=12, pattern=r"^\d{1,10}$")


class CreatedOut(BaseModel):
    id: str


class AnnouncementOut(BaseModel):
    id: str
    companyId: str | None
    title: str
    content: str
    contentHtml: str
    publishedAt: datetime


class AnnouncementsOut(BaseModel):
    announcements: list[AnnouncementOut]


class NotificationOut(BaseModel):
    id: str
    type: str
    title: str
    body: str
    url: str | None
    actorName: str
    read: bool
    readAt: datetime | None
    archivedAt: datetime | None
    createdAt: datetime


class NotificationsOut(BaseModel):
    notifications: list[NotificationOut]
    limit: int
    offset: int
    total: int


class NotificationsQuery(PageQuery):
    filter: Literal["all", "unread", "archived"] = "all"


class UnreadOut(BaseModel):
    unread_count: int


class OkOut(BaseModel):
    ok: bool = True


class NotificationPath(ApiModel):
    notification_id: int = Field(ge=1, le=MAX_ID)


class PreferenceItem(ApiModel):
    notification_type: str = Field(max_length=48)
    channel_in_app: bool
    channel_email: bool


class PreferenceOut(PreferenceItem):
    label: str = ""


class PreferencesOut(BaseModel):
    preferences: list[PreferenceOut]


class PreferencesIn(ApiModel):
    preferences: list[PreferenceItem] = Field(max_length=100)


class MessageIn(ApiModel):
    content: str = Field(min_length=1, max_length=notes.MAX_BODY)
    project_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Default: the portal's newest active project."
    )
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="Reply to a note.")


class MessageOut(BaseModel):
    id: int
    portal_id: int
    project_id: int
    parent_id: int | None
    content: str
    created_at: datetime


# Helpers ------------------------------------------------------------------------------------


def _sid(value: int | None) -> str | None:
    return None if value is None else str(value)


def note_out(note: Note, author_name: str) -> dict:
    return NoteOut(
        id=str(note.id),
        companyId=str(note.company_id),
        resourceType=note.resource_type,
        resourceId=str(note.resource_id),
        parentId=_sid(note.parent_id),
        authorId=_sid(note.author_id),
        authorName=author_name,
        content=note.body,
        contentHtml=str(render_markdown(note.body)),
        isInternal=note.is_internal,
        createdAt=note.created_at,
        editedAt=note.edited_at,
    ).model_dump(mode="json")


def notification_out(n: Notification) -> dict:
    return NotificationOut(
        id=str(n.id),
        type=n.type,
        title=n.title,
        body=n.body,
        url=n.url,
        actorName=n.actor_label,
        read=n.read_at is not None,
        readAt=n.read_at,
        archivedAt=n.archived_at,
        createdAt=n.created_at,
    ).model_dump(mode="json")


def _company_ids(actor: Actor) -> list[int]:
    return sorted(actor.company_ids or [])


def _user_id(actor: Actor) -> int:
    """Notifications belong to a person: the worker must say who (X-Portal-User-Id)."""
    if actor.user_id is None:
        raise Forbidden("Send X-Portal-User-Id: notifications belong to a user.", code="no_user")
    return actor.user_id


def _as_portal_user(actor: Actor, raw: str | None) -> Actor:
    """``portalUserId`` names the author when the worker sent no X-Portal-User-Id."""
    if raw is None or actor.user_id is not None:
        if raw is not None and int(raw) != actor.user_id:
            raise Forbidden("portalUserId differs from X-Portal-User-Id.", code="invalid_user")
        return actor
    user = get_session().get(User, int(raw))
    if user is None or not user.is_active or user.company_id != actor.company_id:
        raise Forbidden("That user does not belong to the company.", code="invalid_user")
    return replace(actor, user_id=user.id, label=user.display_name)


@path_object("notification_id")
def _load_notification(session, actor, notification_id: int):  # noqa: ANN001, ANN202
    if actor.user_id is None:
        raise NotFound()
    return notifications.get_notification(
        session, user_id=actor.user_id, notification_id=notification_id
    )


# Worker: notes, announcements ---------------------------------------------------------------


@worker_bp.get("/notes", summary="List notes", responses={200: NotesOut})
def worker_notes():
    """Client-visible notes across the group's projects (and deliverables, invoices, budgets),
    newest first; at most 100. Group-aware."""
    actor = require_client()
    rows = notes.list_notes(get_session(), actor=actor, company_ids=_company_ids(actor))
    return {"notes": [note_out(n, name) for n, name in rows]}


@worker_bp.post("/notes", summary="Create a note", responses={201: CreatedOut})
def worker_create_note(body: NoteCreate):
    """A new thread on a resource, or a reply (``parentId``). Collaborator or admin; the
    author is X-Portal-User-Id (or ``portalUserId``). Mentions notify; ``message_sent``."""
    actor = _as_portal_user(require_client(), body.portalUserId)
    if body.parentId is None and body.resourceId is None:
        raise Invalid(errors={"resourceId": ["resourceId is required for a new thread."]})
    note = notes.create_note(
        get_session(),
        actor=actor,
        company_ids=_company_ids(actor),
        body=body.content,
        resource_type=body.resourceType,
        resource_id=body.resourceId,
        parent_id=body.parentId,
    )
    return {"id": str(note.id)}, 201


@worker_bp.get("/announcements", summary="Latest announcements", responses={200: AnnouncementsOut})
def worker_announcements():
    """The latest 20 announcements for the group and for every client."""
    actor = require_client()
    rows: list[Announcement] = announcements.latest_announcements(
        get_session(), actor=actor, company_ids=_company_ids(actor)
    )
    return {"announcements": [announcement_out(a) for a in rows]}


def announcement_out(a: Announcement) -> dict:
    """One announcement as the worker API shows it (also on the worker dashboard)."""
    return AnnouncementOut(
        id=str(a.id),
        companyId=_sid(a.company_id),
        title=a.title,
        content=a.body,
        contentHtml=str(render_markdown(a.body)),
        publishedAt=a.published_at,
    ).model_dump(mode="json")


# Worker: notifications ----------------------------------------------------------------------


@worker_bp.get("/notifications", summary="List notifications", responses={200: NotificationsOut})
def worker_notifications(query: NotificationsQuery):
    """The user's notifications: ``filter`` all (default, not archived), unread or archived;
    ``limit`` default 50, at most 100."""
    user_id = _user_id(require_client())
    rows, total = notifications.list_notifications(
        get_session(),
        user_id=user_id,
        filter=query.filter,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return {
        "notifications": [notification_out(n) for n in rows],
        "limit": query.clamped_limit,
        "offset": query.offset,
        "total": total,
    }


@worker_bp.get(
    "/notifications/unread-count", summary="Unread notifications", responses={200: UnreadOut}
)
def worker_unread_count():
    user_id = _user_id(require_client())
    return {"unread_count": notifications.unread_count(get_session(), user_id=user_id)}


@worker_bp.post(
    "/notifications/<int:notification_id>/read",
    summary="Mark a notification read",
    responses={200: OkOut},
)
def worker_mark_read(path: NotificationPath):
    user_id = _user_id(require_client())
    notifications.mark_read(get_session(), user_id=user_id, notification_id=path.notification_id)
    return {"ok": True}


@worker_bp.post("/notifications/read-all", summary="Mark all read", responses={200: OkOut})
def worker_read_all():
    user_id = _user_id(require_client())
    notifications.mark_all_read(get_session(), user_id=user_id)
    return {"ok": True}


@worker_bp.get(
    "/notifications/preferences",
    summary="Notification preferences",
    responses={200: PreferencesOut},
)
def worker_preferences():
    """Every notification type merged with the user's saved choices."""
    user_id = _user_id(require_client())
    rows = notifications.preference_rows(get_session(), user_id=user_id)
    return {
        "preferences": [
            PreferenceOut(
                notification_type=r.notification_type,
                label=r.label,
                channel_in_app=r.channel_in_app,
                channel_email=r.channel_email,
            ).model_dump()
            for r in rows
        ]
    }


@worker_bp.put(
    "/notifications/preferences",
    summary="Update notification preferences",
    responses={200: OkOut},
)
def worker_save_preferences(body: PreferencesIn):
    """``preferences``: ``[{notification_type, channel_in_app, channel_email}]``; unknown
    types are a 422."""
    user_id = _user_id(require_client())
    notifications.save_preferences(
        get_session(),
        user_id=user_id,
        choices=[
            (p.notification_type, p.channel_in_app, p.channel_email) for p in body.preferences
        ],
    )
    return {"ok": True}


# v1: messages -------------------------------------------------------------------------------


@v1_bp.post(
    "/portals/<int:portal_id>/messages",
    summary="Post a discussion message",
    responses={201: MessageOut},
)
def post_message(path: PortalPath, body: MessageIn):
    """A note on one of the portal's projects (default: its newest active project), or a reply
    (``parent_id``). Scope portal:write; records ``message_sent`` and notifies mentions."""
    actor = require_scope("portal:write")
    session = get_session()
    portal = portal_admin.get_portal(session, actor=actor, portal_id=path.portal_id)
    company_ids = [portal.company_id]
    project_id = body.project_id
    if project_id is None and body.parent_id is None:
        project_id = notes.newest_active_project_id(session, company_id=portal.company_id)
        if project_id is None:
            raise Invalid(errors={"project_id": ["This portal has no active project yet."]})
    note = notes.create_note(
        session,
        actor=actor,
        company_ids=company_ids,
        body=body.content,
        resource_id=project_id,
        parent_id=body.parent_id,
    )
    return MessageOut(
        id=note.id,  # type: ignore[arg-type]
        portal_id=path.portal_id,
        project_id=note.resource_id,
        parent_id=note.parent_id,
        content=note.body,
        created_at=note.created_at,
    ).model_dump(mode="json"), 201
