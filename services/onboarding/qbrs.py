"""Quarterly business reviews: the agency writes them (sections, each visible to the client or
internal), then presents them. A client sees presented reviews only, without internal sections.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from portal.errors import Conflict, Invalid, NotFound
from portal.models import Company
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.onboarding import (
    Qbr,
    QbrCreate,
    QbrSection,
    QbrSectionCreate,
    QbrStatus,
    SectionVisibility,
)
from portal.tenancy import Actor, get_for_actor, require_staff, scoped
from services.events.activity import record
from services.events.notifications import notify
from services.onboarding import MANAGE_NODE, _client_user_ids, _tab_url


@dataclass(frozen=True)
class QbrView:
    qbr: Qbr
    sections: list[QbrSection]


def qbrs_for(session: Session, *, actor: Actor, company_id: int) -> list[QbrView]:
    """The company's reviews, newest quarter first, in two queries. Clients get presented ones
    with their visible sections; staff get drafts and internal sections too."""
    query = scoped(select(Qbr), actor, Qbr).where(Qbr.company_id == company_id)
    if not actor.is_staff:
        query = query.where(Qbr.status == QbrStatus.presented.value)
    qbrs = session.exec(query.order_by(col(Qbr.quarter).desc(), col(Qbr.id).desc())).all()
    if not qbrs:
        return []
    sections = select(QbrSection).where(col(QbrSection.qbr_id).in_([q.id for q in qbrs]))
    if not actor.is_staff:
        sections = sections.where(QbrSection.portal_visibility == SectionVisibility.visible.value)
    by_qbr: dict[int, list[QbrSection]] = {}
    for s in session.exec(sections.order_by(col(QbrSection.position), col(QbrSection.id))).all():
        by_qbr.setdefault(s.qbr_id, []).append(s)
    return [QbrView(q, by_qbr.get(q.id, [])) for q in qbrs]  # type: ignore[arg-type]


def create_qbr(*, session: Session, actor: Actor, company_id: int, data: QbrCreate) -> Qbr:
    """A draft review for the company (staff with ``onboarding.manage``)."""
    get_for_actor(session, Company, company_id, actor)
    require_staff(actor, MANAGE_NODE, "Only the agency writes quarterly reviews.")
    qbr = Qbr(
        company_id=company_id,
        title=data.title,
        quarter=data.quarter,
        summary=data.summary,
        created_by_id=actor.user_id,
    )
    session.add(qbr)
    session.flush()
    return qbr


def add_section(
    *, session: Session, actor: Actor, qbr_id: int, data: QbrSectionCreate
) -> QbrSection:
    """A section at the end of the review; ``internal`` keeps it from the client."""
    qbr = get_for_actor(session, Qbr, qbr_id, actor)
    require_staff(actor, MANAGE_NODE, "Only the agency writes quarterly reviews.")
    last = session.exec(
        select(func.max(QbrSection.position)).where(QbrSection.qbr_id == qbr_id)
    ).one()
    section = QbrSection(
        company_id=qbr.company_id,
        qbr_id=qbr_id,
        position=(last or 0) + 1,
        title=data.title,
        body=data.body,
        portal_visibility=data.portal_visibility,
    )
    session.add(section)
    session.flush()
    return section


def present_qbr(*, session: Session, actor: Actor, qbr_id: int) -> Qbr:
    """Show the review to the client (once); its people are notified."""
    qbr = get_for_actor(session, Qbr, qbr_id, actor)
    require_staff(actor, MANAGE_NODE, "Only the agency presents quarterly reviews.")
    if qbr.status == QbrStatus.presented:
        raise Conflict("This review is already presented.", code="already_presented")
    qbr.status = QbrStatus.presented.value
    qbr.presented_at = utcnow()
    session.add(qbr)
    session.flush()
    record(
        session,
        actor=actor,
        company_id=qbr.company_id,
        action=Action.qbr_presented,
        object_type="qbr",
        object_id=qbr.id,
        object_label=qbr.title,
        description=f"{actor.label} presented the quarterly review {qbr.title}",
    )
    notify(
        session,
        user_ids=_client_user_ids(session, qbr.company_id),
        type="qbr_presented",
        title=f"Your quarterly review is ready: {qbr.title}",
        company_id=qbr.company_id,
        actor=actor,
        url=_tab_url(session, qbr.company_id, "onboarding"),
    )
    return qbr


# Editing -------------------------------------------------------------------------------------


def _own_qbr(session: Session, actor: Actor, company_id: int, qbr_id: int) -> Qbr:
    """The review, when it is this company's and the actor may manage reviews (else 404/403)."""
    qbr = get_for_actor(session, Qbr, qbr_id, actor)
    if qbr.company_id != company_id:
        raise NotFound()
    require_staff(actor, MANAGE_NODE, "Only the agency edits quarterly reviews.")
    return qbr


def _own_section(
    session: Session, actor: Actor, company_id: int, qbr_id: int, section_id: int
) -> QbrSection:
    _own_qbr(session, actor, company_id, qbr_id)
    section = get_for_actor(session, QbrSection, section_id, actor)
    if section.qbr_id != qbr_id:
        raise NotFound()
    return section


def update_qbr(
    *, session: Session, actor: Actor, company_id: int, qbr_id: int, data: QbrCreate
) -> Qbr:
    """Change a review's title, quarter and summary (a presented one too: the client sees the
    correction)."""
    qbr = _own_qbr(session, actor, company_id, qbr_id)
    qbr.title, qbr.quarter, qbr.summary = data.title, data.quarter, data.summary
    session.add(qbr)
    session.flush()
    return qbr


def delete_qbr(*, session: Session, actor: Actor, company_id: int, qbr_id: int) -> str:
    """Delete a review and its sections; returns its title."""
    qbr = _own_qbr(session, actor, company_id, qbr_id)
    title = qbr.title
    for section in session.exec(select(QbrSection).where(QbrSection.qbr_id == qbr_id)).all():
        session.delete(section)
    session.flush()  # the sections first: the review's row goes last
    session.delete(qbr)
    session.flush()
    return title


def update_section(
    *,
    session: Session,
    actor: Actor,
    company_id: int,
    qbr_id: int,
    section_id: int,
    data: QbrSectionCreate,
) -> QbrSection:
    """Change a section's title, text and visibility."""
    section = _own_section(session, actor, company_id, qbr_id, section_id)
    section.title, section.body = data.title, data.body
    section.portal_visibility = data.portal_visibility
    session.add(section)
    session.flush()
    return section


def delete_section(
    *, session: Session, actor: Actor, company_id: int, qbr_id: int, section_id: int
) -> str:
    section = _own_section(session, actor, company_id, qbr_id, section_id)
    title = section.title
    session.delete(section)
    session.flush()
    return title


def move_section(
    *,
    session: Session,
    actor: Actor,
    company_id: int,
    qbr_id: int,
    section_id: int,
    direction: str,
) -> None:
    """Move a section one place ``up`` or ``down`` (positions renumbered 1..n)."""
    if direction not in ("up", "down"):
        raise Invalid("Move a section up or down.", errors={"direction": ["Choose up or down."]})
    section = _own_section(session, actor, company_id, qbr_id, section_id)
    order = list(
        session.exec(
            select(QbrSection)
            .where(QbrSection.qbr_id == qbr_id)
            .order_by(col(QbrSection.position), col(QbrSection.id))
        ).all()
    )
    i = next(n for n, s in enumerate(order) if s.id == section.id)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    for n, s in enumerate(order, start=1):
        if s.position != n:
            s.position = n
            session.add(s)
    session.flush()
