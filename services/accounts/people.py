"""People and companies as the API lists them, always through the tenancy core."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from portal.errors import NotFound
from portal.models import Company, Portal, User
from portal.tenancy import Actor, get_for_actor, scoped
from portal.web.pagination import count


def list_users(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    company_id: int | None = None,
    is_staff: bool | None = None,
    search: str | None = None,
) -> tuple[list[tuple[User, str | None]], int]:
    """Users the actor may see (a company principal: its group; agency: everyone)."""
    stmt = scoped(select(User, Company.name), actor, User).outerjoin(
        Company, col(Company.id) == col(User.company_id)
    )
    if company_id is not None:
        stmt = stmt.where(User.company_id == company_id)
    if is_staff is not None:
        stmt = stmt.where(User.is_staff == is_staff)
    if search:
        like = f"%{search.lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    rows = session.exec(stmt.order_by(col(User.id)).limit(limit).offset(offset)).all()
    return [(u, name) for u, name in rows], count(session, stmt)


def get_user(session: Session, *, actor: Actor, user_id: int) -> tuple[User, str | None]:
    user = get_for_actor(session, User, user_id, actor)
    company = session.get(Company, user.company_id) if user.company_id else None
    return user, company.name if company else None


def find_user_by_email(session: Session, *, actor: Actor, email: str) -> tuple[User, str | None]:
    """The visible user with this address, or NotFound (also for other tenants' users)."""
    user = session.exec(
        scoped(select(User), actor, User).where(User.email == email.strip().lower())
    ).first()
    if user is None:
        raise NotFound("User not found.")
    company = session.get(Company, user.company_id) if user.company_id else None
    return user, company.name if company else None


def visible_companies(session: Session, *, actor: Actor) -> list[Company]:
    """Every company the actor may see, by name (for pickers)."""
    return list(
        session.exec(scoped(select(Company), actor, Company).order_by(col(Company.name))).all()
    )


def list_companies(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    parent_id: int | None = None,
    search: str | None = None,
) -> tuple[list[tuple[Company, int | None]], int]:
    """Companies the actor may see, with their portal id, by name."""
    stmt = scoped(select(Company, Portal.id), actor, Company).outerjoin(
        Portal, col(Portal.company_id) == col(Company.id)
    )
    if parent_id is not None:
        stmt = stmt.where(Company.parent_id == parent_id)
    if search:
        like = f"%{search.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Company.name).like(like), func.lower(Company.slug).like(like))
        )
    rows = session.exec(
        stmt.order_by(col(Company.name), col(Company.id)).limit(limit).offset(offset)
    ).all()
    return [(c, pid) for c, pid in rows], count(session, stmt)


def get_company(session: Session, *, actor: Actor, company_id: int) -> tuple[Company, int | None]:
    company = get_for_actor(session, Company, company_id, actor)
    portal_id = session.exec(select(Portal.id).where(Portal.company_id == company.id)).first()
    return company, portal_id
