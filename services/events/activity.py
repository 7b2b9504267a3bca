"""The activity log: every write records who did what (reference 003 action names)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from portal.models import ActivityLog
from portal.tenancy import Actor, scoped
from services.events import webhooks

# Every activity action name (reference 003, plus Stoa's own); webhooks subscribe to these.
ACTIONS: tuple[str, ...] = (
    "portal_created",
    "project_created",
    "file_uploaded",
    "file_linked",
    "file_deleted",
    "file_approval_requested",
    "file_approved",
    "file_rejected",
    "deliverable_uploaded",
    "deliverable_linked",
    "deliverable_deleted",
    "deliverable_in_review",
    "deliverable_approved",
    "deliverable_revision_requested",
    "task_created",
    "task_completed",
    "task_reopened",
    "task_deleted",
    "message_sent",
    "board_topic_posted",
    "board_reply_posted",
    "client_invited",
)


def record(
    session: Session,
    *,
    actor: Actor,
    company_id: int | None,
    action: str,
    object_type: str = "",
    object_id: int | None = None,
    object_label: str = "",
    description: str = "",
) -> ActivityLog:
    """Write one activity row in the caller's transaction and queue its webhook deliveries."""
    row = ActivityLog(
        company_id=company_id,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:300],
        description=description[:1000],
    )
    session.add(row)
    session.flush()
    webhooks.emit_for_activity(session, row)
    return row


# Reference 003 action names (and Stoa's own), with what a person reads in the filter.
ACTION_LABELS: dict[str, str] = {
    "project_created": "Project started",
    "task_created": "Task added",
    "task_completed": "Task completed",
    "task_reopened": "Task reopened",
    "file_uploaded": "File uploaded",
    "file_approved": "File approved",
    "file_rejected": "File rejected",
    "deliverable_in_review": "Deliverable ready for review",
    "deliverable_revision_requested": "Revision requested",
    "deliverable_approved": "Deliverable approved",
    "message_sent": "Note posted",
    "client_invited": "Person invited",
    "announcement_published": "Announcement",
}
# Activity about staff-only objects (internal notes) is never shown to clients.
# Deliverable steps behind the internal gate (uploads before release, the release itself).
INTERNAL_DELIVERABLE_ACTIVITY = "deliverable_internal"
STAFF_ONLY_OBJECT_TYPES: tuple[str, ...] = ("internal_note", INTERNAL_DELIVERABLE_ACTIVITY)


def hide_staff_only(stmt: Any, actor: Actor) -> Any:
    """Drop staff-only rows (internal notes) from an activity select unless the actor is staff.

    Any page listing activity to clients (the dashboard too) wraps its select with this.
    """
    if actor.is_staff:
        return stmt
    return stmt.where(ActivityLog.object_type.not_in(STAFF_ONLY_OBJECT_TYPES))  # type: ignore[attr-defined]


def list_activity(
    session: Session,
    *,
    actor: Actor,
    company_ids: list[int],
    limit: int = 25,
    offset: int = 0,
    action: str | None = None,
    actor_id: int | None = None,
) -> tuple[list[ActivityLog], int]:
    """Newest first, within what the actor may see; optionally one action type or one person."""
    base = scoped(select(ActivityLog), actor, ActivityLog).where(
        ActivityLog.company_id.in_(company_ids)  # type: ignore[union-attr]
    )
    base = hide_staff_only(base, actor)
    if action:
        base = base.where(ActivityLog.action == action)
    if actor_id is not None:
        base = base.where(ActivityLog.actor_id == actor_id)
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(
        base.order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())  # type: ignore[union-attr]
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def activity_people(
    session: Session, *, actor: Actor, company_ids: list[int]
) -> list[tuple[int, str]]:
    """People the activity filter offers: the group's users and its assigned managers."""
    from sqlalchemy import or_

    from portal.models import PortalManager, User

    managers = select(PortalManager.user_id).where(PortalManager.company_id.in_(company_ids))  # type: ignore[attr-defined]
    rows = session.exec(
        select(User.id, User.name, User.email)
        .where(or_(User.company_id.in_(company_ids), User.id.in_(managers)))  # type: ignore[union-attr]
        .order_by(User.name)
        .limit(200)
    ).all()
    return [(uid, name or email.split("@", 1)[0]) for uid, name, email in rows]  # type: ignore[misc]
