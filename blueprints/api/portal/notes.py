"""/api/portal: notes, announcements and the signed-in user's notifications (reference 000)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from blueprints.api import WORKER_SECURITY, api_blueprint, path_object
from blueprints.api.auth import require_client
from blueprints.api.portal.notes_schemas import (
    AnnouncementsOut,
    CreatedOut,
    NotesOut,
    NotificationPath,
    NotificationsOut,
    NotificationsQuery,
    OkOut,
    PreferenceOut,
    PreferencesOut,
    UnreadOut,
    WorkerNoteCreate,
    announcement_out,
    note_out,
    notification_out,
)
from portal.db import get_session
from portal.errors import Forbidden, Invalid, NotFound
from portal.models import Notification, User
from portal.models.notification import NotificationPreferencesUpdate
from portal.tenancy import Actor
from services import announcements, notes
from services.events import notifications

bp = api_blueprint(
    "api_worker_notes",
    __name__,
    url_prefix="/api/portal",
    tag="Portal worker: notes and notifications",
    description="Notes, announcements and the signed-in user's notifications (reference 000).",
    security=WORKER_SECURITY,
)


def _user_id(actor: Actor) -> int:
    """Notifications belong to a person: the worker must say who (X-Portal-User-Id)."""
    if actor.user_id is None:
        raise Forbidden("Send X-Portal-User-Id: notifications belong to a user.", code="no_user")
    return actor.user_id


def _as_portal_user(actor: Actor, user_id: int | None) -> Actor:
    """``portalUserId`` names the author when the worker sent no X-Portal-User-Id."""
    if user_id is None or actor.user_id is not None:
        if user_id is not None and user_id != actor.user_id:
            raise Forbidden("portalUserId differs from X-Portal-User-Id.", code="invalid_user")
        return actor
    user = get_session().get(User, user_id)
    if user is None or not user.is_active or user.company_id != actor.company_id:
        raise Forbidden("That user does not belong to the company.", code="invalid_user")
    return replace(actor, user_id=user.id, label=user.display_name)


@path_object("notification_id")
def _load_notification(session: Any, actor: Actor, notification_id: int) -> Notification:
    if actor.user_id is None:
        raise NotFound()
    return notifications.get_notification(
        session, user_id=actor.user_id, notification_id=notification_id
    )


# Notes, announcements -----------------------------------------------------------------------


@bp.get("/notes", summary="List notes", responses={200: NotesOut})
def worker_notes() -> dict[str, Any]:
    """Client-visible notes across the group's projects (and deliverables, invoices, budgets),
    newest first; at most 100. Group-aware."""
    rows = notes.list_notes(get_session(), actor=require_client())
    return {"notes": [note_out(n, name) for n, name in rows]}


@bp.post("/notes", summary="Create a note", responses={201: CreatedOut})
def worker_create_note(body: WorkerNoteCreate) -> tuple[dict[str, Any], int]:
    """A new thread on a resource, or a reply (``parentId``). Collaborator or admin; the
    author is X-Portal-User-Id (or ``portalUserId``). Mentions notify; ``message_sent``."""
    actor = _as_portal_user(require_client(), body.portal_user_id)
    if body.parent_id is None and body.resource_id is None:
        raise Invalid(errors={"resourceId": ["resourceId is required for a new thread."]})
    note = notes.create_note(get_session(), actor=actor, data=body)
    return {"id": str(note.id)}, 201


@bp.get("/announcements", summary="Latest announcements", responses={200: AnnouncementsOut})
def worker_announcements() -> dict[str, Any]:
    """The latest 20 announcements for the group and for every client."""
    rows = announcements.latest_announcements(get_session(), actor=require_client())
    return {"announcements": [announcement_out(a) for a in rows]}


# Notifications ------------------------------------------------------------------------------


@bp.get("/notifications", summary="List notifications", responses={200: NotificationsOut})
def worker_notifications(query: NotificationsQuery) -> dict[str, Any]:
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


@bp.get("/notifications/unread-count", summary="Unread notifications", responses={200: UnreadOut})
def worker_unread_count() -> dict[str, Any]:
    user_id = _user_id(require_client())
    return {"unread_count": notifications.unread_count(get_session(), user_id=user_id)}


@bp.post(
    "/notifications/<int:notification_id>/read",
    summary="Mark a notification read",
    responses={200: OkOut},
)
def worker_mark_read(path: NotificationPath) -> dict[str, Any]:
    user_id = _user_id(require_client())
    notifications.mark_read(get_session(), user_id=user_id, notification_id=path.notification_id)
    return {"ok": True}


@bp.post("/notifications/read-all", summary="Mark all read", responses={200: OkOut})
def worker_read_all() -> dict[str, Any]:
    user_id = _user_id(require_client())
    notifications.mark_all_read(get_session(), user_id=user_id)
    return {"ok": True}


@bp.get(
    "/notifications/preferences",
    summary="Notification preferences",
    responses={200: PreferencesOut},
)
def worker_preferences() -> dict[str, Any]:
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


@bp.put(
    "/notifications/preferences",
    summary="Update notification preferences",
    responses={200: OkOut},
)
def worker_save_preferences(body: NotificationPreferencesUpdate) -> dict[str, Any]:
    """``preferences``: ``[{notification_type, channel_in_app, channel_email}]``; unknown
    types are a 422."""
    user_id = _user_id(require_client())
    notifications.save_preferences(get_session(), user_id=user_id, data=body)
    return {"ok": True}
