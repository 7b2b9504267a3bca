"""Team: people on a client's work (members of the group, assigned managers, project leads)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal.models import Invitation, PortalManager, Project, User
from portal.models.base import utcnow
from portal.tenancy import Actor, scoped
from services.portals import PortalContext


@dataclass(frozen=True)
class TeamView:
    managers: list[User]
    leads: list[tuple[User, str]]  # lead and project name
    members: list[User]


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
        managers=list(managers), leads=[(u, n) for u, n in leads], members=list(members)
    )


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
