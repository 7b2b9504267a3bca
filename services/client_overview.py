"""What a client company sees across its group: projects, their people, history, team.

Used by the portal worker API (reference 000). The actor's ``company_ids`` is the group.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from portal.models import ActivityLog, PortalManager, Project, User
from portal.tenancy import Actor, get_for_actor, scoped


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


@dataclass(frozen=True)
class ProjectDetail:
    project: Project
    members: list[User]


def project_detail(session: Session, *, actor: Actor, project_id: int) -> ProjectDetail:
    """One project of the group with its people (lead, managers, the company's users)."""
    project = get_for_actor(session, Project, project_id, actor)
    manager_ids = select(PortalManager.user_id).where(
        PortalManager.company_id == project.company_id
    )
    members = session.exec(
        select(User)
        .where(
            User.is_active,
            (User.id == project.lead_id)
            | (User.company_id == project.company_id)
            | User.id.in_(manager_ids),  # type: ignore[union-attr]
        )
        .order_by(User.name, User.id)
        .limit(200)
    ).all()
    return ProjectDetail(project=project, members=list(members))


def history(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[list[ActivityLog], int]:
    """The group's activity, newest first."""
    stmt = scoped(select(ActivityLog), actor, ActivityLog)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())  # type: ignore[union-attr]
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


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
