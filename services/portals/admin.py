"""Portals as records: list, create and update them (the API and the inbound webhook)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, func, select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import ClientRole, Company, Portal, PortalManager, PortalStatus, User
from portal.models.activity import Action
from portal.tenancy import Actor, get_for_actor, scoped
from services.events import activity

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
PORTAL_SORTS = {
    "title": Portal.title,
    "created_at": Portal.created_at,
    "id": Portal.id,
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
            .where(User.company_id.in_(company_ids), User.is_active)  # type: ignore[union-attr]
            .order_by(User.id)
        ).all():
            users[cid].append((uid, role))  # type: ignore[index, arg-type]
        for uid, cid in session.exec(
            select(PortalManager.user_id, PortalManager.company_id)
            .where(PortalManager.company_id.in_(company_ids))  # type: ignore[attr-defined]
            .order_by(PortalManager.user_id)
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
    if not actor.is_staff:
        stmt = stmt.where(Portal.status != PortalStatus.pending.value)
    if status:
        stmt = stmt.where(Portal.status == status)
    if search:
        like = f"%{search.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Portal.title).like(like), func.lower(Portal.slug).like(like))
        )
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    column = PORTAL_SORTS[sort.lstrip("-")]
    order = column.desc() if sort.startswith("-") else column.asc()  # type: ignore[union-attr]
    rows = session.exec(stmt.order_by(order, Portal.id).limit(limit).offset(offset)).all()  # type: ignore[arg-type]
    return _records(session, list(rows)), int(total)


def get_portal(session: Session, *, actor: Actor, portal_id: int) -> Portal:
    """A portal the actor may see; pending portals are invisible to clients."""
    portal = get_for_actor(session, Portal, portal_id, actor)
    if portal.status == PortalStatus.pending.value and not actor.is_staff:
        raise NotFound()
    return portal


def portal_record(session: Session, *, actor: Actor, portal_id: int) -> PortalRecord:
    return record_of(session, get_portal(session, actor=actor, portal_id=portal_id))


def record_of(session: Session, portal: Portal) -> PortalRecord:
    """A portal already loaded through the tenancy core, with its people."""
    return _records(session, [portal])[0]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or "portal"


def _unique_slug(session: Session, title: str) -> str:
    base = slugify(title)
    taken = set(
        session.exec(
            select(Company.slug).where(
                or_(Company.slug == base, Company.slug.like(f"{base}-%"))  # type: ignore[attr-defined]
            )
        ).all()
    ) | set(
        session.exec(
            select(Portal.slug).where(
                or_(Portal.slug == base, Portal.slug.like(f"{base}-%"))  # type: ignore[attr-defined]
            )
        ).all()
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _check_fields(
    *, title: str | None = None, status: str | None = None, accent_color: str | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if title is not None and not title.strip():
        errors["title"] = ["A title is required."]
    if status is not None and status not in {s.value for s in PortalStatus}:
        errors["status"] = ["Choose active, pending or archived."]
    if accent_color and not HEX_COLOUR.match(accent_color):
        errors["accent_color"] = ["Use a hex colour like #2d6a4f."]
    return errors


def _require_staff_manager(actor: Actor) -> None:
    if not actor.is_staff or not actor.can("portal.manage"):
        raise Forbidden("Only the agency can change portals.")


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


def create_portal(
    session: Session,
    *,
    actor: Actor,
    title: str,
    status: str = PortalStatus.active.value,
    accent_color: str | None = None,
    allow_uploads: bool = True,
    client_user_id: int | None = None,
    client_email: str | None = None,
    template_id: int | None = None,
) -> PortalRecord:
    """Create a client company and its portal (staff only). Reference 003 ``POST /portals``."""
    _require_staff_manager(actor)
    if not actor.can("portal.create"):
        raise Forbidden("You cannot create portals.")
    errors = _check_fields(title=title, status=status, accent_color=accent_color)
    client: User | None = None
    if client_user_id:
        client = session.get(User, client_user_id)
        if client is None:
            errors["client_user_id"] = ["No user with that id."]
    elif client_email:
        client = session.exec(select(User).where(User.email == client_email.lower())).first()
        if client is None:
            errors["client_email"] = ["No user with that email; invite them instead."]
    if template_id:
        errors["template_id"] = ["No portal template with that id."]
    if errors:
        raise Invalid(errors=errors)
    title = title.strip()[:200]
    slug = _unique_slug(session, title)
    company = Company(name=title, slug=slug)
    session.add(company)
    session.flush()
    portal = Portal(
        company_id=company.id,  # type: ignore[arg-type]
        title=title,
        slug=slug,
        status=status,
        accent_color=accent_color or None,
        allow_uploads=allow_uploads,
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
        object_label=title,
        description=f"{actor.label} created the portal {title}",
    )
    if client is not None:
        assign_client(session, actor=actor, portal=portal, user=client)
    return _records(session, [portal])[0]


def update_portal(
    session: Session, *, actor: Actor, portal_id: int, changes: dict[str, Any]
) -> PortalRecord:
    """Change title, status, accent colour or uploads (staff managing the portal)."""
    portal = get_portal(session, actor=actor, portal_id=portal_id)
    _require_staff_manager(actor)
    allowed = {"title", "status", "accent_color", "allow_uploads"}
    changes = {k: v for k, v in changes.items() if k in allowed}
    errors = _check_fields(
        title=changes.get("title"),
        status=changes.get("status"),
        accent_color=changes.get("accent_color"),
    )
    if "title" in changes and changes["title"] is None:
        errors["title"] = ["A title is required."]
    if "status" in changes and changes["status"] is None:
        errors["status"] = ["Choose active, pending or archived."]
    if "allow_uploads" in changes and changes["allow_uploads"] is None:
        errors["allow_uploads"] = ["Give true or false."]
    if errors:
        raise Invalid(errors=errors)
    for name, value in changes.items():
        if name == "title":
            value = value.strip()[:200]
        if name == "accent_color":
            value = value or None
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
    return _records(session, [portal])[0]
