"""What a client company sees across its group: projects, their people, history, team.

Used by the portal worker API (reference 000). The actor's ``company_ids`` is the group.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from portal.models import ActivityLog, PortalManager, Project, User
from portal.tenancy import Actor, scoped


def list_projects(
    session: Session, *, actor: Actor, status: str | None, limit: int, offset: int
) -> tuple[list[Project], int]:
    """Projects of the group, newest due first, optionally by status."""
    stmt = scoped(select(Project), actor, Project)
    if status:
        stmt = stmt.where(Project.status == status)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(Project.name, Project.id).limit(limit).offset(offset)  # type: ignore[arg-type]
    ).all()
    return list(rows), int(total)


def history(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[list[ActivityLog], int]:
    """The group's activity, newest first (staff-only entries hidden from clients)."""
    from services.events.activity import list_activity

    return list_activity(session, actor=actor, limit=limit, offset=offset)


@dataclass(frozen=True)
class Team:
    members: list[User]
    managers: list[User]
    leads: list[tuple[User, Project]]


def team(session: Session, *, actor: Actor) -> Team:
    """People of the group, the assigned managers and the leads of active projects."""
    ids = sorted(actor.company_ids or [])
    members = session.exec(
        scoped(select(User), actor, User)
        .where(User.is_active)
        .order_by(User.name, User.id)
        .limit(500)
    ).all()
    managers = session.exec(
        select(User)
        .join(PortalManager, PortalManager.user_id == User.id)
        .where(PortalManager.company_id.in_(ids), User.is_active)  # type: ignore[attr-defined]
        .order_by(User.name, User.id)
        .distinct()
    ).all()
    leads = session.exec(
        scoped(select(User, Project), actor, Project)
        .join(Project, Project.lead_id == User.id)
        .where(Project.status == "active")
        .order_by(Project.name, Project.id)
        .limit(500)
    ).all()
    return Team(members=list(members), managers=list(managers), leads=[(u, p) for u, p in leads])
