"""A board's tabs (wish list, roadmap, updates: where statuses show their posts) and the
sections inside each tab, nested through ``parent_id`` and ordered (reference 002
``/tabs`` and ``/sections``). Hidden sections are the agency's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from portal.errors import Invalid, NotFound
from portal.models import FeedbackSection
from portal.models.base import utcnow
from portal.models.feedback import TAB_NAMES, SectionCreate, SectionUpdate, StatusTab
from portal.tenancy import Actor, get_for_actor, scoped
from services.feedback import require_board_manager

TAKEN = "The title has already been taken."


@dataclass(frozen=True)
class Tab:
    slug: str
    name: str


def list_tabs() -> list[Tab]:
    return [Tab(slug=t.value, name=TAB_NAMES[t]) for t in StatusTab]


def get_tab(slug: str) -> Tab:
    for tab in list_tabs():
        if tab.slug == slug:
            return tab
    raise NotFound(f"No such tab: {slug[:40]}")


def list_sections(
    *, session: Session, actor: Actor, tab: str | None = None, parent_id: int | None = None
) -> list[FeedbackSection]:
    """The sections the actor sees, by tab then order; ``parent_id`` narrows to one section's
    children (the parent is looked up first: a foreign one is a 404)."""
    stmt = scoped(select(FeedbackSection), actor, FeedbackSection)
    if tab is not None:
        stmt = stmt.where(FeedbackSection.tab == tab)
    if parent_id is not None:
        get_for_actor(session, FeedbackSection, parent_id, actor)
        stmt = stmt.where(FeedbackSection.parent_id == parent_id)
    return list(
        session.exec(
            stmt.order_by(
                col(FeedbackSection.tab), col(FeedbackSection.order), col(FeedbackSection.id)
            )
        ).all()
    )


def _title_taken(
    session: Session, company_id: int, tab: str, title: str, exclude: int | None
) -> bool:
    stmt = select(FeedbackSection.id).where(
        FeedbackSection.company_id == company_id,
        FeedbackSection.tab == tab,
        func.lower(FeedbackSection.title) == title.lower(),
    )
    if exclude is not None:
        stmt = stmt.where(col(FeedbackSection.id) != exclude)
    return session.exec(stmt).first() is not None


def _parent(
    session: Session, actor: Actor, company_id: int, tab: str, parent_id: int | None
) -> int | None:
    if parent_id is None:
        return None
    parent = session.exec(
        scoped(select(FeedbackSection), actor, FeedbackSection).where(
            FeedbackSection.id == parent_id,
            FeedbackSection.company_id == company_id,
            FeedbackSection.tab == tab,
        )
    ).first()
    if parent is None:
        raise Invalid(errors={"parent_id": ["The selected parent is invalid."]})
    return parent.id


def _ancestors(session: Session, section_id: int | None) -> set[int]:
    """``section_id`` and the sections above it (a board has a handful: one query each)."""
    seen: set[int] = set()
    while section_id is not None and section_id not in seen:
        seen.add(section_id)
        section_id = session.exec(
            select(FeedbackSection.parent_id).where(FeedbackSection.id == section_id)
        ).first()
    return seen


def create_section(
    *, session: Session, actor: Actor, company_id: int, data: SectionCreate
) -> FeedbackSection:
    """A new section at the end of its tab (or its parent), or right after ``after_id``."""
    require_board_manager(actor)
    if not actor.can_see_company(company_id):
        raise NotFound("No such board.")
    if _title_taken(session, company_id, data.tab_id, data.title, None):
        raise Invalid(errors={"title": [TAKEN]})
    parent_id = _parent(session, actor, company_id, data.tab_id, data.parent_id)
    siblings = [
        s
        for s in list_sections(session=session, actor=actor, tab=data.tab_id)
        if s.company_id == company_id and s.parent_id == parent_id
    ]
    order = (max((s.order for s in siblings), default=0)) + 1
    if data.after_id is not None:
        after = next((s for s in siblings if s.id == data.after_id), None)
        if after is None:
            raise Invalid(errors={"after_id": ["The selected after id is invalid."]})
        order = after.order + 1
        session.exec(
            update(FeedbackSection)
            .where(
                col(FeedbackSection.company_id) == company_id,
                col(FeedbackSection.tab) == data.tab_id,
                col(FeedbackSection.parent_id).is_(None)
                if parent_id is None
                else col(FeedbackSection.parent_id) == parent_id,
                col(FeedbackSection.order) >= order,
            )
            .values(order=FeedbackSection.order + 1)
        )
    section = FeedbackSection(
        company_id=company_id,
        tab=data.tab_id,
        title=data.title,
        description=data.description,
        icon=data.icon,
        parent_id=parent_id,
        order=order,
        color=data.color,
    )
    session.add(section)
    session.flush()
    return section


def update_section(
    *, session: Session, actor: Actor, section_id: int, data: SectionUpdate
) -> FeedbackSection:
    section = get_for_actor(session, FeedbackSection, section_id, actor)
    require_board_manager(actor)
    if _title_taken(session, section.company_id, section.tab, data.title, section.id):
        raise Invalid(errors={"title": [TAKEN]})
    fields = data.model_fields_set
    if "parent_id" in fields:
        if data.parent_id == section.id:
            raise Invalid(errors={"parent_id": ["A section cannot be its own parent."]})
        parent_id = _parent(session, actor, section.company_id, section.tab, data.parent_id)
        if section.id in _ancestors(session, parent_id):
            raise Invalid(errors={"parent_id": ["A section cannot sit inside its own child."]})
        section.parent_id = parent_id
    section.title = data.title
    for name in ("description", "icon", "color"):
        if name in fields:
            setattr(section, name, getattr(data, name))
    if data.is_hidden_for_users is not None:
        section.is_hidden_for_users = data.is_hidden_for_users
    section.updated_at = utcnow()
    session.add(section)
    session.flush()
    return section


def delete_section(*, session: Session, actor: Actor, section_id: int) -> None:
    """With its children."""
    section = get_for_actor(session, FeedbackSection, section_id, actor)
    require_board_manager(actor)
    session.delete(section)
    session.flush()
