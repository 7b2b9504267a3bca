"""Team: people on a client's work (members of the group, assigned managers, project leads),
and the Settings tab's people and preferences.

Callers pass the actor (inside a portal: the visitor narrowed to the portal's group); the
portal's own company is named only where a collection belongs to that one company.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from portal.errors import NotFound
from portal.models import (
    Company,
    EmailOutbox,
    Invitation,
    PortalManager,
    Project,
    ProjectMember,
    User,
)
from portal.models.base import utcnow
from portal.tenancy import Actor, scoped
from services.events.notifications import PreferenceRow, preference_rows


@dataclass(frozen=True)
class ProjectTeam:
    """One active project with the people on it (lead first)."""

    project: Project
    lead: User | None
    members: list[tuple[User, str]]  # person and their role on the project


@dataclass(frozen=True)
class CompanyPeople:
    """The people who belong to one company (their own company, never its parent's list)."""

    company: Company
    users: list[User]


def company_people(
    session: Session, *, actor: Actor, company_id: int | None = None, active_only: bool = True
) -> list[CompanyPeople]:
    """Who belongs to which company, per company the actor sees (``company_id``: only that one),
    in one query: the single definition Team and Settings both list. A person belongs to the
    company their account is in; a child company's admin is listed under the child."""
    stmt = (
        scoped(select(User, Company), actor, User)
        .join(Company, col(Company.id) == User.company_id)
        .where(col(User.company_id).is_not(None))
    )
    if company_id is not None:
        stmt = stmt.where(col(User.company_id) == company_id)
    if active_only:
        stmt = stmt.where(col(User.is_active))
    groups: dict[int | None, CompanyPeople] = {}
    for user, company in session.exec(stmt.order_by(col(Company.name), col(User.name))).all():
        groups.setdefault(company.id, CompanyPeople(company=company, users=[])).users.append(user)
    return list(groups.values())


@dataclass(frozen=True)
class TeamView:
    managers: list[User]
    leads: list[tuple[User, str]]  # lead and project name
    people: list[CompanyPeople]  # the portal's own company first, then the rest of its group
    projects: list[ProjectTeam] = field(default_factory=list)

    @property
    def agency_people(self) -> list[tuple[User, str]]:
        """Managers and leads once each, with what they do ("Project manager · Lead on X, Y")."""
        roles: dict[int | None, tuple[User, list[str], list[str]]] = {}
        for user in self.managers:
            roles.setdefault(user.id, (user, [], []))[1].append("Project manager")
        for user, project_name in self.leads:
            roles.setdefault(user.id, (user, [], []))[2].append(project_name)
        people = []
        for user, titles, led in roles.values():
            parts = [*titles, *([f"Lead on {', '.join(led)}"] if led else [])]
            people.append((user, " · ".join(parts)))
        return people


def _require_company(actor: Actor, company_id: int) -> None:
    if not actor.can_see_company(company_id):
        raise NotFound()


def team_view(session: Session, *, actor: Actor, company_id: int) -> TeamView:
    """The Team tab: ``company_id``'s assigned managers, and the leads, people and project
    teams of the companies the actor sees (the portal's group)."""
    _require_company(actor, company_id)
    managers = session.exec(
        select(User)
        .join(PortalManager, col(PortalManager.user_id) == User.id)
        .where(col(PortalManager.company_id) == company_id)
        .order_by(col(User.name))
    ).all()
    leads = session.exec(
        scoped(select(User, col(Project.name)), actor, Project)
        .join(Project, col(Project.lead_id) == User.id)
        .where(col(Project.status) == "active")
        .order_by(col(Project.name))
    ).all()
    people = company_people(session, actor=actor)
    people.sort(key=lambda g: g.company.id != company_id)  # stable: own company first
    return TeamView(
        managers=list(managers),
        leads=[(u, n) for u, n in leads],
        people=people,
        projects=project_teams(session, actor=actor),
    )


def project_teams(session: Session, *, actor: Actor) -> list[ProjectTeam]:
    """Active projects the actor sees with their lead and members, in one query."""
    lead = aliased(User)
    person = aliased(User)
    rows = session.exec(
        scoped(select(Project, lead, col(ProjectMember.role_label), person), actor, Project)
        .outerjoin(lead, col(lead.id) == Project.lead_id)
        .outerjoin(ProjectMember, col(ProjectMember.project_id) == Project.id)
        .outerjoin(person, col(person.id) == ProjectMember.user_id)
        .where(col(Project.status) == "active")
        .order_by(col(Project.name), col(Project.id), col(person.is_staff).desc(), col(person.name))
        .limit(500)
    ).all()
    teams: dict[int | None, ProjectTeam] = {}
    for project, lead_user, role_label, user in rows:
        team = teams.get(project.id)
        if team is None:
            team = teams[project.id] = ProjectTeam(project=project, lead=lead_user, members=[])
        if user is not None and (lead_user is None or user.id != lead_user.id):
            team.members.append((user, role_label or "Member"))
    return list(teams.values())


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    email: EmailOutbox | None  # its email, whose delivery the list reports truthfully

    @property
    def delivery(self) -> str:
        """queued, failed, retrying, sent or failed."""
        return self.email.delivery_label if self.email is not None else "sent"

    @property
    def expired(self) -> bool:
        return self.invitation.expires_at < utcnow()


@dataclass(frozen=True)
class CompanyMembers:
    users: list[User]
    invitations: list[InvitationRow]


@dataclass(frozen=True)
class SettingsView:
    members: CompanyMembers | None  # only for those who manage the company's people
    prefs: list[PreferenceRow]


def settings_view(session: Session, *, actor: Actor, company_id: int, manage: bool) -> SettingsView:
    """The Settings tab: the actor's notification preferences and, when ``manage``, the
    users and open (or expired, to resend) invitations of ``company_id`` (the portal's own
    company)."""
    _require_company(actor, company_id)
    members = _company_members(session, actor=actor, company_id=company_id) if manage else None
    prefs = preference_rows(session, user_id=actor.user_id) if actor.user_id is not None else []
    return SettingsView(members=members, prefs=prefs)


def _company_members(session: Session, *, actor: Actor, company_id: int) -> CompanyMembers:
    groups = company_people(session, actor=actor, company_id=company_id, active_only=False)
    users = groups[0].users if groups else []
    invitations = session.exec(
        scoped(select(Invitation, EmailOutbox), actor, Invitation)
        .outerjoin(EmailOutbox, col(EmailOutbox.id) == col(Invitation.email_id))
        .where(
            col(Invitation.company_id) == company_id,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
        )
        .order_by(col(Invitation.created_at).desc())
        .limit(50)
    ).all()
    return CompanyMembers(
        users=list(users), invitations=[InvitationRow(inv, email) for inv, email in invitations]
    )
