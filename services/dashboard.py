"""The dashboard's view data, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal.models import ActivityLog, Company, Project
from portal.tenancy import Actor, scoped
from services.portals import PortalContext


@dataclass(frozen=True)
class DashboardView:
    projects: list[tuple[Project, str]]  # project and its company name
    activity: list[ActivityLog]
    welcome: str | None


def dashboard_view(session: Session, *, actor: Actor, ctx: PortalContext) -> DashboardView:
    """Active projects across the group and the latest activity."""
    projects = session.exec(
        scoped(select(Project, Company.name), actor, Project)
        .join(Company, Company.id == Project.company_id)
        .where(Project.company_id.in_(ctx.group_company_ids), Project.status == "active")  # type: ignore[attr-defined]
        .order_by(Project.due_date, Project.name)
        .limit(12)
    ).all()
    activity = session.exec(
        scoped(select(ActivityLog), actor, ActivityLog)
        .where(ActivityLog.company_id.in_(ctx.group_company_ids))  # type: ignore[union-attr]
        .order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())  # type: ignore[union-attr]
        .limit(8)
    ).all()
    return DashboardView(
        projects=[(p, name) for p, name in projects],
        activity=list(activity),
        welcome=ctx.portal.welcome_message,
    )
