"""What a client company sees across its group: projects, their people, history, team.

Used by the portal worker API (reference 000). The actor's ``company_ids`` is the group.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from portal.models import ActivityLog, PortalManager, Project, User
from portal.tenancy import Actor, scoped
from portal.web.pagination import count
from services.events.activity import list_activity
from services.projects.progress import ProjectProgress, project_progress
from services.team import project_teams


@dataclass(frozen=True)
class ProjectList:
    projects: list[Project]
    progress: dict[int, ProjectProgress]  # task counts per listed project, by project id
    total: int


def list_projects(
    session: Session, *, actor: Actor, status: str | None, limit: int, offset: int
) -> ProjectList:
    """Projects of the group by name, optionally by status, with their task counts."""
    stmt = scoped(select(Project), actor, Project)
    if status:
        stmt = stmt.where(Project.status == status)
    rows = list(
        session.exec(
            stmt.order_by(col(Project.name), col(Project.id)).limit(limit).offset(offset)
        ).all()
    )
    progress = project_progress(
        session, actor=actor, project_ids=[p.id for p in rows if p.id is not None]
    )
    return ProjectList(projects=rows, progress=progress, total=count(session, stmt))


def history(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[list[ActivityLog], int]:
    """The group's activity, newest first (staff-only entries hidden from clients)."""
    return list_activity(session, actor=actor, limit=limit, offset=offset)


@dataclass(frozen=True)
class Team:
    people: list[User]  # once each: assigned managers, the group's users, project members
    leads: list[tuple[User, Project]]


def team(session: Session, *, actor: Actor) -> Team:
    """People on the group's work and the leads of its active projects."""
    members = session.exec(
        scoped(select(User), actor, User)
        .where(User.is_active)
        .order_by(col(User.name), col(User.id))
        .limit(500)
    ).all()
    managers = session.exec(
        scoped(select(User), actor, PortalManager)
        .join(PortalManager, col(PortalManager.user_id) == col(User.id))
        .where(User.is_active)
        .order_by(col(User.name), col(User.id))
        .distinct()
    ).all()
    leads = session.exec(
        scoped(select(User, Project), actor, Project)
        .join(Project, col(Project.lead_id) == col(User.id))
        .where(Project.status == "active")
        .order_by(col(Project.name), col(Project.id))
        .limit(500)
    ).all()
    on_projects = [user for t in project_teams(session, actor=actor) for user, _ in t.members]
    people = {u.id: u for u in [*managers, *members, *on_projects]}
    return Team(people=list(people.values()), leads=[(u, p) for u, p in leads])
