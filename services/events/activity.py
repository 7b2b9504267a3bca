"""The activity log: every write records who did what (reference 003 action names)."""

from __future__ import annotations

from sqlmodel import Session, func, select

from portal.models import ActivityLog
from portal.models.activity import Action
from portal.tenancy import Actor, scoped
from services.events import webhooks


def record(
    session: Session,
    *,
    actor: Actor,
    company_id: int | None,
    action: Action,
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
        action=action.value,
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
