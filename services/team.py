"""Team: people on a client's work (members of the group, assigned managers, project leads)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal.models import Invitation, PortalManager, Project, ProjectMember, User
from portal.models.base import utcnow
from portal.tenancy import Actor, scoped
from services.portals import PortalContext


@dataclass(frozen=True)
class ProjectTeam:
    """One active project with the people on it (lead first)."""

    project: Project
    lead: User | None
    members: list[tuple[User, str]]  # person and their role on the project


@dataclass(frozen=True)
class TeamView:
    managers: list[User]
    leads: list[tuple[User, str]]  # lead and project name
    members: list[User]
    projects: list[ProjectTeam] = field(default_factory=list)

    @property
    def agency_people(self) -> list[tuple[User, str]]:
        """Managers and leads once each, with what they do ("Project manager · Lead on X, Y")."""
        roles: dict[int, tuple[User, list[str], list[str]]] = {}
        for user in self.managers:
            roles.setdefault(user.id, (user, [], []))[1].append("Project manager")  # type: ignore[arg-type]
        for user, project_name in self.leads:
            roles.setdefault(user.id, (user, [], []))[2].append(project_name)  # type: ignore[arg-type]
        people = []
        for user, titles, led in roles.values():
            parts = [*titles, *([f"Lead on {', '.join(led)}"] if led else [])]
            people.append((user, " · ".join(parts)))
        return people


def team_view(session: Session, *, actor: Actor, ctx: PortalContext) -> TeamView:
    managers = session.exec(
        select(User)
        .join(PortalManager, PortalManager.user_id == User.id)
        .where(PortalManager.company_id == ctx.company.id)
        .order_by(User.name)
    ).all()
    leads = session.exec(
        scoped(select(User, Project.name), actor, Project)
        .join(Project, Project.lead_id == User.id)
        .where(Project.company_id.in_(ctx.group_company_ids), Project.status == "active")  # type: ignore[attr-defined]
        .order_by(Project.name)
    ).all()
    members = session.exec(
        scoped(select(User), actor, User)
        .where(User.company_id.in_(ctx.group_company_ids), User.is_active)  # type: ignore[union-attr]
        .order_by(User.name)
    ).all()
    return TeamView(
        managers=list(managers),
        leads=[(u, n) for u, n in leads],
        members=list(members),
        projects=project_teams(session, actor=actor, company_ids=ctx.group_company_ids),
    )


def project_teams(session: Session, *, actor: Actor, company_ids: list[int]) -> list[ProjectTeam]:
    """Active projects of the group with their lead and members, in one query."""
    lead = aliased(User)
    person = aliased(User)
    rows = session.exec(
        scoped(select(Project, lead, ProjectMember.role_label, person), actor, Project)
        .outerjoin(lead, lead.id == Project.lead_id)
        .outerjoin(ProjectMember, ProjectMember.project_id == Project.id)
        .outerjoin(person, person.id == ProjectMember.user_id)
        .where(Project.company_id.in_(company_ids), Project.status == "active")  # type: ignore[attr-defined]
        .order_by(Project.name, Project.id, person.is_staff.desc(), person.name)  # type: ignore[attr-defined]
        .limit(500)
    ).all()
    teams: dict[int, ProjectTeam] = {}
    for project, lead_user, role_label, user in rows:
        team = teams.get(project.id)
        if team is None:
            team = teams[project.id] = ProjectTeam(project=project, lead=lead_user, members=[])
        if user is not None and (lead_user is None or user.id != lead_user.id):
            team.members.append((user, role_label or "Member"))
    return list(teams.values())


@dataclass(frozen=True)
class CompanyMembers:
    users: list[User]
    invitations: list[Invitation]


def company_members(session: Session, *, actor: Actor, ctx: PortalContext) -> CompanyMembers:
    """Users and open invitations of the portal's own company (for its admins)."""
    users = session.exec(
        scoped(select(User), actor, User)
        .where(User.company_id == ctx.company.id)
        .order_by(User.name)
    ).all()
    invitations = session.exec(
        scoped(select(Invitation), actor, Invitation)
        .where(
            Invitation.company_id == ctx.company.id,
            Invitation.accepted_at.is_(None),  # type: ignore[union-attr]
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.created_at.desc())  # type: ignore[attr-defined]
        .limit(50)
    ).all()
    return CompanyMembers(users=list(users), invitations=list(invitations))
