"""Staff overviews."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from portal.models import Company, Portal, Project, User
from portal.tenancy import Actor, scoped
from portal.web.pagination import Page, paginate

PAGE_SIZE = 25
MAX_QUERY = 100


@dataclass(frozen=True)
class PortalRow:
    portal: Portal
    company: Company
    parent_name: str | None
    users: int
    projects: int


@dataclass(frozen=True)
class PortalOverview:
    rows: Page[PortalRow]
    query: str


def portal_overview(
    session: Session, *, actor: Actor, query: str = "", page: int = 1
) -> PortalOverview:
    """Portals the staff member may see, with user and project counts, searchable and paged."""
    query = query.strip()[:MAX_QUERY]
    parent = select(col(Company.id), col(Company.name)).subquery()
    users = (
        select(col(User.company_id), func.count().label("n")).group_by(col(User.company_id))
    ).subquery()
    projects = (
        select(col(Project.company_id), func.count().label("n")).group_by(col(Project.company_id))
    ).subquery()
    stmt = (
        # five columns: SQLAlchemy's select (SQLModel's stops at four)
        scoped(sa.select(Portal, Company, parent.c.name, users.c.n, projects.c.n), actor, Portal)
        .join(Company, col(Company.id) == col(Portal.company_id))
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
    listing = paginate(
        session, stmt.order_by(col(Portal.title)), page=page, per_page=PAGE_SIZE, scalars=False
    )
    return PortalOverview(
        rows=listing.map(lambda r: PortalRow(r[0], r[1], r[2], r[3] or 0, r[4] or 0)),
        query=query,
    )
