"""The activity log: every write records who did what (reference 003 action names)."""

from __future__ import annotations

from sqlmodel import Session, func, select

from portal.models import ActivityLog
from portal.tenancy import Actor, scoped
from services import webhooks

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


def list_activity(
    session: Session, *, actor: Actor, company_ids: list[int], limit: int = 25, offset: int = 0
) -> tuple[list[ActivityLog], int]:
    """Newest first, within what the actor may see."""
    base = scoped(select(ActivityLog), actor, ActivityLog).where(
        ActivityLog.company_id.in_(company_ids)  # type: ignore[union-attr]
    )
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    rows = session.exec(
        base.order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())  # type: ignore[union-attr]
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)
