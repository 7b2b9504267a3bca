"""Companies and groups as staff manage them: create, rename, set a parent, assign managers."""

from __future__ import annotations

from dataclasses import dataclass

import pydantic
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from portal.errors import Invalid
from portal.models import Company, Portal, PortalManager, Role, User, UserRole
from portal.models.activity import Action
from portal.permissions import register_node
from portal.tenancy import Actor, get_for_actor, has_node, require_staff, scoped
from portal.validation import InputModel
from portal.web.pagination import Page, paginate
from services.events import activity

COMPANY_CREATE = register_node("company.create", "Create client companies")
COMPANY_UPDATE = register_node("company.update", "Rename companies and change their group")
MANAGERS_UPDATE = register_node("portal.managers.update", "Assign project managers to portals")

PER_PAGE = 25


class CompanyInput(InputModel):
    """A company as the admin form sends it: its name and, for a child, its parent."""

    name: str = pydantic.Field(min_length=1, max_length=200)
    parent_id: int | None = pydantic.Field(default=None, ge=1)

    @pydantic.field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("Enter a name.")
        return value

    @pydantic.field_validator("parent_id", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if value in ("", "0", 0) else value


@dataclass(frozen=True)
class CompanyRow:
    company: Company
    parent_name: str | None
    portal: Portal | None
    children: int


def list_companies(
    session: Session, *, actor: Actor, query: str = "", page: int = 1
) -> Page[CompanyRow]:
    """The companies the actor sees, by name, searched by name or slug, one page at a time."""
    require_staff(actor)
    parent = aliased(Company)
    child = aliased(Company)
    children = (
        select(func.count(col(child.id)))
        .where(col(child.parent_id) == col(Company.id))
        .correlate(Company)
        .scalar_subquery()
    )
    stmt = (
        scoped(select(Company, parent.name, Portal, children), actor, Company)
        .outerjoin(parent, col(parent.id) == col(Company.parent_id))
        .outerjoin(Portal, col(Portal.company_id) == col(Company.id))
    )
    q = query.strip().lower()[:100]
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            (func.lower(Company.name).like(like)) | (func.lower(Company.slug).like(like))
        )
    rows = paginate(
        session,
        stmt.order_by(func.lower(Company.name), col(Company.id)),
        page=page,
        per_page=PER_PAGE,
        scalars=False,
    )
    return rows.map(lambda r: CompanyRow(r[0], r[1], r[2], int(r[3] or 0)))


def parent_choices(session: Session, *, actor: Actor, exclude: int | None = None) -> list[Company]:
    """Companies that may be chosen as a parent (not ``exclude`` nor its descendants)."""
    require_staff(actor)
    companies = list(
        session.exec(scoped(select(Company), actor, Company).order_by(col(Company.name))).all()
    )
    if exclude is None:
        return companies
    below = _descendants(session, exclude) | {exclude}
    return [c for c in companies if c.id not in below]


def _descendants(session: Session, company_id: int) -> set[int]:
    found: set[int] = set()
    frontier = {company_id}
    while frontier:
        rows = session.exec(
            select(Company.id).where(col(Company.parent_id).in_(sorted(frontier)))
        ).all()
        frontier = {c for c in rows if c is not None} - found - {company_id}
        found |= frontier
    return found


def _check_parent(session: Session, actor: Actor, company_id: int | None, parent_id: int) -> None:
    """The parent exists for the actor and is not the company itself nor one of its
    descendants (a company cannot become its own ancestor)."""
    message = "A company cannot be its own parent or the parent of its parent."
    if company_id is not None and (
        parent_id == company_id or parent_id in _descendants(session, company_id)
    ):
        raise Invalid(message, errors={"parent_id": [message]})
    try:
        get_for_actor(session, Company, parent_id, actor)
    except Exception:
        raise Invalid(errors={"parent_id": ["Choose a company from the list."]}) from None


def _unique_slug(session: Session, name: str) -> str:
    from services.portals.admin import _unique_slug as unique

    return unique(session, name)


def create_company(session: Session, *, actor: Actor, data: CompanyInput) -> Company:
    """A new client company (optionally a child of another: a group)."""
    require_staff(actor, COMPANY_CREATE, "You cannot create companies.")
    if data.parent_id is not None:
        _check_parent(session, actor, None, data.parent_id)
    company = Company(
        name=data.name, slug=_unique_slug(session, data.name), parent_id=data.parent_id
    )
    session.add(company)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=company.id,
        action=Action.company_created,
        object_type="company",
        object_id=company.id,
        object_label=company.name,
        description=f"{actor.label} created the company {company.name}",
    )
    return company


def update_company(
    session: Session, *, actor: Actor, company_id: int, data: CompanyInput
) -> Company:
    """Rename a company and set (or clear) its parent."""
    company = get_for_actor(session, Company, company_id, actor)
    require_staff(actor, COMPANY_UPDATE, "You cannot change companies.")
    if data.parent_id is not None and data.parent_id != company.parent_id:
        _check_parent(session, actor, company.id, data.parent_id)
    changed = [
        f
        for f, old, new in (
            ("name", company.name, data.name),
            ("parent", company.parent_id, data.parent_id),
        )
        if old != new
    ]
    company.name = data.name
    company.parent_id = data.parent_id
    session.add(company)
    session.flush()
    if changed:
        activity.record(
            session,
            actor=actor,
            company_id=company.id,
            action=Action.company_updated,
            object_type="company",
            object_id=company.id,
            object_label=company.name,
            description=f"{actor.label} changed the {' and '.join(changed)} of {company.name}",
        )
    return company


@dataclass(frozen=True)
class CompanyView:
    company: Company
    parent: Company | None
    children: list[Company]
    portal: Portal | None
    managers: list[User]
    staff: list[User]  # staff who can be assigned (without portal.all: they see everything)


def company_view(session: Session, *, actor: Actor, company_id: int) -> CompanyView:
    """One company with its group, portal and managers, for its admin page."""
    company = get_for_actor(session, Company, company_id, actor)
    parent = session.get(Company, company.parent_id) if company.parent_id else None
    children = list(
        session.exec(
            scoped(select(Company), actor, Company)
            .where(Company.parent_id == company.id)
            .order_by(col(Company.name))
        ).all()
    )
    portal = session.exec(select(Portal).where(Portal.company_id == company.id)).first()
    managers = list(
        session.exec(
            select(User)
            .join(PortalManager, col(PortalManager.user_id) == col(User.id))
            .where(PortalManager.company_id == company.id)
            .order_by(col(User.name), col(User.id))
        ).all()
    )
    return CompanyView(company, parent, children, portal, managers, assignable_staff(session))


def assignable_staff(session: Session) -> list[User]:
    """Active staff who see only the portals they are assigned to (project managers)."""
    rows = session.exec(
        select(User, Role.permissions)
        .outerjoin(UserRole, col(UserRole.user_id) == col(User.id))
        .outerjoin(Role, col(Role.id) == col(UserRole.role_id))
        .where(col(User.is_staff).is_(True), col(User.is_active).is_(True))
        .order_by(col(User.name), col(User.id))
    ).all()
    nodes: dict[int, list[str]] = {}
    users: dict[int, User] = {}
    for user, perms in rows:
        assert user.id is not None
        users[user.id] = user
        nodes.setdefault(user.id, []).extend(perms or [])
    return [u for uid, u in users.items() if not has_node(nodes[uid], "portal.all")]


def set_managers(
    session: Session, *, actor: Actor, company_id: int, user_ids: list[int]
) -> list[User]:
    """Make exactly ``user_ids`` the project managers of a company's portal."""
    company = get_for_actor(session, Company, company_id, actor)
    require_staff(actor, MANAGERS_UPDATE, "You cannot assign project managers.")
    allowed = {u.id: u for u in assignable_staff(session)}
    unknown = [u for u in user_ids if u not in allowed]
    if unknown:
        raise Invalid(errors={"manager_ids": ["Choose project managers from the list."]})
    current = {
        m.user_id: m
        for m in session.exec(
            select(PortalManager).where(PortalManager.company_id == company.id)
        ).all()
    }
    wanted = set(user_ids)
    for uid, row in current.items():
        if uid not in wanted:
            session.delete(row)
    for uid in sorted(wanted - set(current)):
        session.add(PortalManager(user_id=uid, company_id=company.id))  # type: ignore[arg-type]
    session.flush()
    if wanted != set(current):
        names = ", ".join(allowed[u].display_name for u in sorted(wanted)) or "nobody"
        activity.record(
            session,
            actor=actor,
            company_id=company.id,
            action=Action.user_assigned,
            object_type="company",
            object_id=company.id,
            object_label=company.name,
            description=f"{actor.label} set the project managers of {company.name}: {names}",
        )
    return [allowed[u] for u in sorted(wanted)]
