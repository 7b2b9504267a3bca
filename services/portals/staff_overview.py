"""Staff overviews."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, func, select

from portal.models import Company, Portal, Project, User
from portal.tenancy import Actor, scoped

PAGE_SIZE = 25


@dataclass(frozen=True)
class PortalRow:
    portal: Portal
    company: Company
    parent_name: str | None
    users: int
    projects: int


@dataclass(frozen=True)
class PortalOverview:
    rows: list[PortalRow]
    total: int
    page: int
    pages: int


def portal_overview(
    session: Session, *, actor: Actor, query: str = "", page: int = 1
) -> PortalOverview:
    """Portals the staff member may see, with user and project counts, searchable and paged."""
    parent = select(Company.id, Company.name).subquery()
    users = (select(User.company_id, func.count().label("n")).group_by(User.company_id)).subquery()
    projects = (
        select(Project.company_id, func.count().label("n")).group_by(Project.company_id)
    ).subquery()
    stmt = (
        scoped(select(Portal, Company, parent.c.name, users.c.n, projects.c.n), actor, Portal)
        .join(Company, Company.id == Portal.company_id)
        .outerjoin(parent, parent.c.id == Company.parent_id)
        .outerjoin(users, users.c.company_id == Company.id)
        .outerjoin(projects, projects.c.company_id == Company.id)
    )
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Portal.title).like(like),
                func.lower(Company.name).like(like),
                func.lower(Portal.slug).like(like),
            )
        )
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    pages = max(1, -(-int(total) // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.exec(
        stmt.order_by(Portal.title).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return PortalOverview(
        rows=[PortalRow(p, c, pn, u or 0, pr or 0) for p, c, pn, u, pr in rows],
        total=int(total),
        page=page,
        pages=pages,
    )
