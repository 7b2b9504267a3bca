"""Portals: the branded space of each company, as a given actor may see it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from portal.errors import NotFound
from portal.models import (
    ALL_TABS,
    IMPLEMENTED_TABS,
    ClientRole,
    Company,
    Portal,
    PortalStatus,
    User,
)
from portal.models.onboarding import ClientOnboarding
from portal.tenancy import Actor, role_at_least, scoped, with_company_grants


@dataclass(frozen=True)
class PortalContext:
    """What a portal page needs to know about where it is and who is looking."""

    portal: Portal
    company: Company
    actor: Actor  # the visitor, narrowed to this portal's group: pass it to every service
    group_company_ids: list[int]
    tabs: list[str]
    read_only: bool
    can_write: bool
    can_manage: bool
    # the portals of this portal's family the visitor may open (its own, its children's and its
    # parent's), alphabetical: the client's portal switcher and links into a child's portal
    family: tuple[Portal, ...] = ()
    # the company's onboarding run (its progress kept on the row), for the dashboard's card
    onboarding: ClientOnboarding | None = None

    def slug_of(self, company_id: int) -> str | None:
        """The slug of ``company_id``'s portal when it is one of this portal's group."""
        portal = self.portal_of(company_id)
        return portal.slug if portal is not None else None

    def portal_of(self, company_id: int) -> Portal | None:
        """``company_id``'s portal when it is one of this portal's group (loaded with the
        portal: no query)."""
        if company_id not in self.group_company_ids:
            return None
        return next((p for p in self.family if p.company_id == company_id), None)

    @property
    def company_actor(self) -> Actor:
        """The visitor narrowed to the portal's own company, for collections that belong to
        one company rather than its group (files, deliverables: a parent's portal never
        shows a child's)."""
        return self.actor.narrowed([self.portal.company_id])


def visible_tabs(portal: Portal) -> list[str]:
    enabled = set(portal.enabled_tabs or ALL_TABS)
    if not portal.dashboard_enabled:
        enabled.discard("results")
    return [t for t in IMPLEMENTED_TABS if t in enabled or t == "settings"]


def portals_by_slug(session: Session, *, actor: Actor, slugs: set[str]) -> dict[str, Portal]:
    """The portals at ``slugs`` the actor may see, by slug (one query; the others are left out)."""
    if not slugs:
        return {}
    stmt = scoped(select(Portal).where(col(Portal.slug).in_(sorted(slugs))), actor, Portal)
    return {p.slug: p for p in session.exec(stmt).all()}


def can_manage_people(actor: Actor) -> bool:
    """Who invites and manages a portal's people: client admins (company keys and the worker
    speaking for an admin too) and staff holding ``portal.manage`` or ``user.invite``."""
    return actor.can("portal.manage") or actor.can("user.invite")


# Built once: an alias copies every column of its table, which cost ~50 Column objects a request.
_CHILD = aliased(Company)
_CHILD_PORTAL = aliased(Portal)
_PARENT_PORTAL = aliased(Portal)


def portal_for_slug(session: Session, *, actor: Actor, slug: str) -> PortalContext:
    """The portal at ``slug`` if the actor may see it; NotFound otherwise (never a 403)."""
    child, child_portal, parent_portal = _CHILD, _CHILD_PORTAL, _PARENT_PORTAL
    rows = session.execute(  # one row per child company (the family comes with the portal)
        scoped(
            sa_select(
                Portal, Company, col(child.id), child_portal, parent_portal, ClientOnboarding
            ),
            actor,
            Portal,
        )
        .join(Company, col(Company.id) == col(Portal.company_id))
        .outerjoin(child, col(child.parent_id) == col(Company.id))
        .outerjoin(child_portal, col(child_portal.company_id) == col(child.id))
        .outerjoin(parent_portal, col(parent_portal.company_id) == col(Company.parent_id))
        .outerjoin(ClientOnboarding, col(ClientOnboarding.company_id) == col(Portal.company_id))
        .where(col(Portal.slug) == slug)
    ).all()
    if not rows:
        raise NotFound()
    portal, company, _, _, parent, onboarding = rows[0]
    group = _group_ids(actor, portal.company_id, [r[2] for r in rows if r[2] is not None])
    relatives = [parent, *(r[3] for r in rows)]
    family = {portal.id: portal} | {
        p.id: p
        for p in relatives
        if p is not None
        and p.status != PortalStatus.pending
        and actor.can_see_company(p.company_id)
    }
    read_only = portal.status == PortalStatus.archived
    return PortalContext(
        portal=portal,
        company=company,
        actor=with_company_grants(actor, company).narrowed(group),
        group_company_ids=group,
        tabs=visible_tabs(portal),
        read_only=read_only,
        can_write=not read_only and role_at_least(actor, ClientRole.collaborator),
        can_manage=not read_only and can_manage_people(actor),
        family=tuple(sorted(family.values(), key=lambda p: (p.title.lower(), p.id))),
        onboarding=onboarding,
    )


def _group_ids(actor: Actor, company_id: int, children: list[int]) -> list[int]:
    """The portal's company and the children of it the actor may see (group-aware views)."""
    if actor.kind == "client" and actor.company_ids is not None:
        # a client's visible set is its own company plus that company's direct children
        if company_id == actor.company_id:
            return sorted(actor.company_ids, key=lambda c: (c != company_id, c))
        return [company_id]
    return [company_id, *[c for c in sorted(children) if actor.can_see_company(c)]]


def switcher_portals(session: Session, *, actor: Actor, limit: int = 200) -> list[Portal]:
    """Portals for the staff switcher, alphabetical."""
    return list(
        session.exec(
            scoped(select(Portal), actor, Portal).order_by(col(Portal.title)).limit(limit)
        ).all()
    )


def own_portal(session: Session, *, company_id: int | None) -> Portal | None:
    """The portal of a client's own company, if it has one."""
    if company_id is None:
        return None
    return session.exec(select(Portal).where(Portal.company_id == company_id)).first()


def home_portal_context(session: Session, *, actor: Actor) -> PortalContext | None:
    """A client's own live portal, as a tab would see it (None for staff, or no live portal)."""
    if actor.is_staff:
        return None
    portal = own_portal(session, company_id=actor.company_id)
    if portal is None:
        return None
    try:
        return portal_for_slug(session, actor=actor, slug=portal.slug)
    except NotFound:  # a pending portal
        return None


def account_settings_url(session: Session, *, actor: Actor) -> str | None:
    """Where a client manages their own account: the Settings tab of the portal they belong to.

    A client user belongs to one company; their account lives in its portal, with its branding,
    even when they may also open their children's portals. None (they keep the portal-neutral
    ``/account``) for staff, and for a client whose portal is not open (pending) or archived.
    """
    if actor.is_staff or actor.kind != "client":
        return None
    portal = own_portal(session, company_id=actor.company_id)
    # an archived portal is read-only: its Settings could not save, so /account stays theirs
    if portal is None or portal.status in (PortalStatus.pending, PortalStatus.archived):
        return None
    return f"/p/{portal.slug}/settings"


def landing_url(session: Session, *, user: User) -> str:
    """Where a freshly signed-in user goes: staff to /admin/, clients to their landing tab."""
    if user.is_staff:
        return "/admin/"
    portal = own_portal(session, company_id=user.company_id)
    if portal is None:
        return "/account"
    tab = portal.landing_tab if portal.landing_tab in visible_tabs(portal) else "dashboard"
    return f"/p/{portal.slug}/{tab}"
