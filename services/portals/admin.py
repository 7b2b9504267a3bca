"""Portals as records: list, create and update them (the API and the inbound webhook)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from portal.errors import Invalid, NotFound
from portal.models import (
    ActivityLog,
    ClientRole,
    Company,
    Portal,
    PortalManager,
    PortalTemplate,
    User,
)
from portal.models.activity import Action
from portal.models.company import PortalCreate, PortalUpdate
from portal.tenancy import Actor, get_for_actor, require_staff, scoped
from portal.web.pagination import count
from services.accounts.people import find_user_by_email
from services.events import activity
from services.portals.templates import apply_template

PORTAL_SORTS = {
    "title": col(Portal.title),
    "created_at": col(Portal.created_at),
    "id": col(Portal.id),
}


@dataclass(frozen=True)
class PortalRecord:
    """A portal with the people the reference shape lists: primary client, others, managers."""

    portal: Portal
    client_user_id: int | None
    sub_client_ids: list[int] = field(default_factory=list)
    manager_ids: list[int] = field(default_factory=list)


def _records(session: Session, portals: list[Portal]) -> list[PortalRecord]:
    """Attach people to portals in two queries, whatever the number of portals."""
    company_ids = [p.company_id for p in portals]
    users: dict[int, list[tuple[int, str | None]]] = {c: [] for c in company_ids}
    managers: dict[int, list[int]] = {c: [] for c in company_ids}
    if company_ids:
        for uid, cid, role in session.exec(
            select(User.id, User.company_id, User.client_role)
            .where(col(User.company_id).in_(company_ids), User.is_active)
            .order_by(col(User.id))
        ).all():
            if uid is not None and cid is not None:
                users[cid].append((uid, role))
        for uid, cid in session.exec(
            select(PortalManager.user_id, PortalManager.company_id)
            .where(col(PortalManager.company_id).in_(company_ids))
            .order_by(col(PortalManager.user_id))
        ).all():
            managers[cid].append(uid)
    out = []
    for p in portals:
        people = users[p.company_id]
        admins = [uid for uid, role in people if role == ClientRole.admin.value]
        primary = admins[0] if admins else (people[0][0] if people else None)
        out.append(
            PortalRecord(
                portal=p,
                client_user_id=primary,
                sub_client_ids=[uid for uid, _ in people if uid != primary],
                manager_ids=managers[p.company_id],
            )
        )
    return out


def list_portals(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    offset: int,
    status: str | None = None,
    search: str | None = None,
    sort: str = "title",
) -> tuple[list[PortalRecord], int]:
    """Portals the actor may see (pending ones for staff only), filtered, sorted and paged."""
    stmt = scoped(select(Portal), actor, Portal)
    if status:
        stmt = stmt.where(Portal.status == status)
    if search:
        like = f"%{search.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Portal.title).like(like), func.lower(Portal.slug).like(like))
        )
    total = count(session, stmt)
    column = PORTAL_SORTS[sort.lstrip("-")]
    order = column.desc() if sort.startswith("-") else column.asc()
    rows = session.exec(stmt.order_by(order, col(Portal.id)).limit(limit).offset(offset)).all()
    return _records(session, list(rows)), total


def get_portal(session: Session, *, actor: Actor, portal_id: int) -> Portal:
    """A portal the actor may see (pending portals are staff-only, see ``Portal``)."""
    return get_for_actor(session, Portal, portal_id, actor)


def portal_record(session: Session, *, actor: Actor, portal_id: int) -> PortalRecord:
    return record_of(session, get_portal(session, actor=actor, portal_id=portal_id))


def record_of(session: Session, portal: Portal) -> PortalRecord:
    """A portal already loaded through the tenancy core, with its people."""
    return _records(session, [portal])[0]


def portal_activity(
    session: Session, *, actor: Actor, portal_id: int, limit: int, offset: int
) -> tuple[list[ActivityLog], int]:
    """One portal's activity log (its company only, not the group), newest first."""
    portal = get_portal(session, actor=actor, portal_id=portal_id)
    return activity.list_activity(
        session,
        actor=actor.narrowed([portal.company_id]),
        limit=limit,
        offset=offset,
    )


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or "portal"


def _unique_slug(session: Session, title: str) -> str:
    base = slugify(title)
    taken = set(
        session.exec(
            select(Company.slug).where(
                or_(col(Company.slug) == base, col(Company.slug).like(f"{base}-%"))
            )
        ).all()
    ) | set(
        session.exec(
            select(Portal.slug).where(
                or_(col(Portal.slug) == base, col(Portal.slug).like(f"{base}-%"))
            )
        ).all()
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _require_portal_manager(actor: Actor) -> None:
    require_staff(actor, "portal.manage", "Only the agency can change portals.")


def assign_client(session: Session, *, actor: Actor, portal: Portal, user: User) -> User:
    """Attach an existing account to a portal: a client joins the company, staff become managers."""
    if user.is_staff:
        exists = session.exec(
            select(PortalManager.id).where(
                PortalManager.user_id == user.id, PortalManager.company_id == portal.company_id
            )
        ).first()
        if exists is None:
            session.add(PortalManager(user_id=user.id, company_id=portal.company_id))  # type: ignore[arg-type]
    else:
        if user.company_id not in (None, portal.company_id):
            raise Invalid(
                "That user already belongs to another company.",
                code="user_in_other_company",
                errors={"email": ["That user already belongs to another company."]},
            )
        user.company_id = portal.company_id
        user.client_role = user.client_role or ClientRole.admin.value
        session.add(user)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=portal.company_id,
        action=Action.user_assigned,
        object_type="user",
        object_id=user.id,
        object_label=user.email,
        description=f"{actor.label} assigned {user.email} to {portal.title}",
    )
    return user


def assign_user_by_email(
    session: Session, *, actor: Actor, portal_id: int, email: str
) -> tuple[User, PortalRecord]:
    """:func:`assign_client` for the visible user with ``email`` (the inbound webhook's action)."""
    portal = get_portal(session, actor=actor, portal_id=portal_id)
    try:
        user, _ = find_user_by_email(session, actor=actor, email=email)
    except NotFound:
        raise NotFound("No user with that email.", code="user_not_found") from None
    assign_client(session, actor=actor, portal=portal, user=user)
    return user, record_of(session, portal)


def _check_new_portal(
    session: Session, data: PortalCreate
) -> tuple[User | None, PortalTemplate | None]:
    """What the database must confirm about ``data``: the client it names (by id, else by
    email) and the template it asks for exist. Returns them."""
    errors: dict[str, list[str]] = {}
    client: User | None = None
    if data.client_user_id:
        client = session.get(User, data.client_user_id)
        if client is None:
            errors["client_user_id"] = ["No user with that id."]
    elif data.client_email:
        address = data.client_email.lower()
        client = session.exec(select(User).where(User.email == address)).first()
        if client is None:
            errors["client_email"] = ["No user with that email; invite them instead."]
    template = session.get(PortalTemplate, data.template_id) if data.template_id else None
    if data.template_id and template is None:
        errors["template_id"] = ["No portal template with that id."]
    if errors:
        raise Invalid(errors=errors)
    return client, template


def create_portal(
    session: Session, *, actor: Actor, data: PortalCreate, company_id: int | None = None
) -> PortalRecord:
    """Create a client company and its portal (staff only), or the portal of an existing
    company that has none (``company_id``), and apply the template it names synchronously.
    Reference 003 ``POST /portals``."""
    company = get_for_actor(session, Company, company_id, actor) if company_id else None
    _require_portal_manager(actor)
    require_staff(actor, "portal.create", "You cannot create portals.")
    client, template = _check_new_portal(session, data)
    if company is not None:
        taken = session.exec(select(Portal.id).where(Portal.company_id == company.id)).first()
        if taken is not None:
            raise Invalid(errors={"company_id": ["That company already has a portal."]})
    slug = _unique_slug(session, data.title)
    if company is None:
        company = Company(name=data.title, slug=slug)
        session.add(company)
        session.flush()
    portal = Portal(
        company_id=company.id,  # type: ignore[arg-type]
        title=data.title,
        slug=slug,
        status=data.status,
        accent_color=data.accent_color or None,
        allow_uploads=data.allow_uploads,
    )
    session.add(portal)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=company.id,
        action=Action.portal_created,
        object_type="portal",
        object_id=portal.id,
        object_label=data.title,
        description=f"{actor.label} created the portal {data.title}",
    )
    if client is not None:
        assign_client(session, actor=actor, portal=portal, user=client)
    if template is not None:
        apply_template(session, actor=actor, portal=portal, template=template)
    return record_of(session, portal)


def update_portal(
    session: Session, *, actor: Actor, portal_id: int, data: PortalUpdate
) -> PortalRecord:
    """Change title, status, accent colour or uploads (staff managing the portal)."""
    portal = get_portal(session, actor=actor, portal_id=portal_id)
    _require_portal_manager(actor)
    changes = data.model_dump(include=set(PortalUpdate.model_fields), exclude_unset=True)
    if "accent_color" in changes:
        changes["accent_color"] = changes["accent_color"] or None
    for name, value in changes.items():
        setattr(portal, name, value)
    session.add(portal)
    session.flush()
    if changes:
        activity.record(
            session,
            actor=actor,
            company_id=portal.company_id,
            action=Action.portal_updated,
            object_type="portal",
            object_id=portal.id,
            object_label=portal.title,
            description=f"{actor.label} updated {', '.join(sorted(changes))}",
        )
    return record_of(session, portal)
