"""Tools & Links (reference 003): a portal's resource board, and the agency's global guides."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from portal.errors import NotFound
from portal.models import Company, Guide, GuideAssignment, Portal, ToolLink
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.tools import GuideCreate, ToolLinkCreate
from portal.permissions import register_node
from portal.tenancy import Actor, get_for_actor, require_staff, scoped
from services.events import activity

GUIDE_MANAGE = register_node("guide.manage", "Write global guides and assign them to portals")


@dataclass(frozen=True)
class Board:
    links: list[ToolLink]
    guides: list[Guide]


def board(session: Session, *, actor: Actor, company_id: int) -> Board:
    """One portal's links and the guides assigned to it (two queries)."""
    links = session.exec(
        scoped(select(ToolLink), actor, ToolLink)
        .where(ToolLink.company_id == company_id)
        .order_by(col(ToolLink.sort_order), col(ToolLink.id))
    ).all()
    guides = session.exec(
        scoped(select(Guide), actor, GuideAssignment)
        .join(GuideAssignment, col(GuideAssignment.guide_id) == col(Guide.id))
        .where(GuideAssignment.company_id == company_id)
        .order_by(col(Guide.title), col(Guide.id))
    ).all()
    return Board(list(links), list(guides))


def get_assigned_guide(session: Session, *, actor: Actor, company_id: int, guide_id: int) -> Guide:
    """A guide as a portal shows it: only if assigned to that portal."""
    guide = session.exec(
        scoped(select(Guide), actor, GuideAssignment)
        .join(GuideAssignment, col(GuideAssignment.guide_id) == col(Guide.id))
        .where(GuideAssignment.company_id == company_id, col(Guide.id) == guide_id)
    ).first()
    if guide is None:
        raise NotFound()
    return guide


def _require_manage(actor: Actor) -> None:
    require_staff(actor, "portal.manage", "Only the agency can change Tools & Links.")


def add_link(session: Session, *, actor: Actor, company_id: int, data: ToolLinkCreate) -> ToolLink:
    """Add a link at the end of a portal's board (staff managing the portal)."""
    company = get_for_actor(session, Company, company_id, actor)
    _require_manage(actor)
    last = session.exec(
        select(func.max(ToolLink.sort_order)).where(ToolLink.company_id == company.id)
    ).one()
    link = ToolLink(
        company_id=company.id,  # type: ignore[arg-type]
        title=data.title.strip(),
        url=data.url.strip(),
        description=data.description.strip(),
        sort_order=(last or 0) + 1,
    )
    session.add(link)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=company.id,
        action=Action.tool_link_added,
        object_type="tool_link",
        object_id=link.id,
        object_label=link.title,
        description=f"{actor.label} added {link.title} to Tools & Links",
    )
    return link


def delete_link(session: Session, *, actor: Actor, tool_id: int) -> None:
    link = get_for_actor(session, ToolLink, tool_id, actor)
    _require_manage(actor)
    session.delete(link)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=link.company_id,
        action=Action.tool_link_removed,
        object_type="tool_link",
        object_id=link.id,
        object_label=link.title,
        description=f"{actor.label} removed {link.title} from Tools & Links",
    )


# Global guides (staff) -----------------------------------------------------------------


@dataclass(frozen=True)
class GuideRow:
    guide: Guide
    portals: int  # how many of the portals the actor sees show it


def list_guides(session: Session, *, actor: Actor) -> list[GuideRow]:
    """Every guide with the number of the actor's portals showing it (guide managers only)."""
    require_staff(actor, GUIDE_MANAGE, "You cannot manage guides.")
    counts = (
        scoped(select(GuideAssignment.guide_id, func.count().label("n")), actor, GuideAssignment)
        .group_by(col(GuideAssignment.guide_id))
        .subquery()
    )
    rows = session.exec(
        select(Guide, counts.c.n)
        .outerjoin(counts, counts.c.guide_id == col(Guide.id))
        .order_by(col(Guide.title), col(Guide.id))
    ).all()
    return [GuideRow(g, int(n or 0)) for g, n in rows]


def get_guide(session: Session, *, actor: Actor, guide_id: int) -> Guide:
    """A guide to edit: refused before it is looked up, so a refusal says nothing about ids."""
    require_staff(actor, GUIDE_MANAGE, "You cannot manage guides.")
    guide = session.get(Guide, guide_id)
    if guide is None:
        raise NotFound()
    return guide


def save_guide(
    session: Session, *, actor: Actor, data: GuideCreate, guide_id: int | None = None
) -> Guide:
    """Create a guide, or change one (it changes in every portal it is assigned to)."""
    guide = get_guide(session, actor=actor, guide_id=guide_id) if guide_id else Guide(title="")
    require_staff(actor, GUIDE_MANAGE, "You cannot write guides.")
    guide.title = data.title.strip()
    guide.summary = data.summary.strip()
    guide.body = data.body.strip()
    guide.url = data.url.strip() or None
    guide.updated_at = utcnow()
    session.add(guide)
    session.flush()
    return guide


def assigned_company_ids(session: Session, *, actor: Actor, guide_id: int) -> set[int]:
    return set(
        session.exec(
            scoped(select(GuideAssignment.company_id), actor, GuideAssignment).where(
                GuideAssignment.guide_id == guide_id
            )
        ).all()
    )


def portal_choices(session: Session, *, actor: Actor) -> list[Portal]:
    return list(session.exec(scoped(select(Portal), actor, Portal).order_by(col(Portal.title))))


def set_guide_portals(
    session: Session, *, actor: Actor, guide_id: int, company_ids: list[int]
) -> set[int]:
    """Show a guide in exactly these portals (among those the actor sees: others untouched)."""
    guide = get_guide(session, actor=actor, guide_id=guide_id)
    require_staff(actor, GUIDE_MANAGE, "You cannot assign guides.")
    visible = {p.company_id for p in portal_choices(session, actor=actor)}
    wanted = set(company_ids) & visible
    rows = session.exec(
        scoped(select(GuideAssignment), actor, GuideAssignment).where(
            GuideAssignment.guide_id == guide.id
        )
    ).all()
    have = {r.company_id: r for r in rows}
    for cid, row in have.items():
        if cid not in wanted:
            session.delete(row)
    for cid in sorted(wanted - set(have)):
        session.add(GuideAssignment(guide_id=guide.id, company_id=cid))  # type: ignore[arg-type]
    session.flush()
    return wanted
