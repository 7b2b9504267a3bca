"""A board's product vision (reference 002 ``/product-vision``): one per portal, read by
everyone on the board, written by the agency; ``generate`` drafts it from the top ideas."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from portal.errors import NotFound
from portal.models import Company, FeedbackPost, FeedbackStatus, ProductVision
from portal.models.base import utcnow
from portal.models.feedback import Moderation, StatusTab, VisionUpdate
from portal.tenancy import Actor, scoped
from services.feedback import require_board_manager

TOP_IDEAS = 5


def get_vision(*, session: Session, actor: Actor, company_id: int) -> ProductVision | None:
    """The board's vision, or None when it has none yet."""
    if not actor.can_see_company(company_id):
        raise NotFound("No such board.")
    return session.exec(
        scoped(select(ProductVision), actor, ProductVision).where(
            ProductVision.company_id == company_id
        )
    ).first()


def require_vision(*, session: Session, actor: Actor, company_id: int) -> ProductVision:
    vision = get_vision(session=session, actor=actor, company_id=company_id)
    if vision is None:
        raise NotFound("This board has no product vision yet.")
    return vision


def save_vision(
    *, session: Session, actor: Actor, company_id: int, data: VisionUpdate
) -> ProductVision:
    """Create the board's vision or replace its five boxes."""
    require_board_manager(actor)
    vision = get_vision(session=session, actor=actor, company_id=company_id)
    if vision is None:
        vision = ProductVision(company_id=company_id)
    for name in ("vision", "target_group", "needs", "product", "business_goals"):
        setattr(vision, name, getattr(data, name))
    vision.updated_at = utcnow()
    session.add(vision)
    session.flush()
    return vision


def delete_vision(*, session: Session, actor: Actor, company_id: int) -> None:
    require_board_manager(actor)
    vision = require_vision(session=session, actor=actor, company_id=company_id)
    session.delete(vision)
    session.flush()


@dataclass(frozen=True)
class _Idea:
    title: str
    votes: int
    tab: str


def _top_ideas(session: Session, actor: Actor, company_id: int) -> list[_Idea]:
    rows = session.exec(
        scoped(
            select(FeedbackPost.title, FeedbackPost.vote_count, FeedbackStatus.tab).join(
                FeedbackStatus, col(FeedbackStatus.id) == col(FeedbackPost.status_id)
            ),
            actor,
            FeedbackPost,
        )
        .where(
            FeedbackPost.company_id == company_id,
            col(FeedbackPost.is_published).is_(True),
            FeedbackPost.moderation_status == Moderation.approved.value,
        )
        .order_by(col(FeedbackPost.vote_count).desc(), col(FeedbackPost.id))
        .limit(TOP_IDEAS * 3)
    ).all()
    return [_Idea(title=t, votes=v, tab=tab) for t, v, tab in rows]


def generate_vision(
    *, session: Session, actor: Actor, company_id: int, description: str = ""
) -> ProductVision:
    """Draft the vision from the board's most voted ideas (published and approved: the client
    reads the vision) and a description, if given, and save it. Deterministic: the same board
    gives the same draft."""
    require_board_manager(actor)
    if not actor.can_see_company(company_id):
        raise NotFound("No such board.")
    company = session.get(Company, company_id)
    name = company.name if company else "the client"
    ideas = _top_ideas(session, actor, company_id)
    wanted = [i for i in ideas if i.tab == StatusTab.wishlist.value][:TOP_IDEAS]
    planned = [i for i in ideas if i.tab != StatusTab.wishlist.value][:TOP_IDEAS]

    def bullets(items: list[_Idea]) -> str:
        return "\n".join(
            f"- {i.title} ({i.votes} vote{'s' if i.votes != 1 else ''})" for i in items
        )

    data = VisionUpdate(
        vision=description.strip()
        or f"Give {name}'s team the tools they ask for most, in the order they need them.",
        target_group=f"{name}'s team and customers: the people who post and vote on this board.",
        needs=bullets(wanted) or "No open ideas yet: ask the team what they need.",
        product=bullets(planned) or "Nothing on the roadmap yet.",
        business_goals=(
            "Ship the most voted ideas first; keep the roadmap and changelog current so "
            f"{name} sees progress."
        ),
    )
    return save_vision(session=session, actor=actor, company_id=company_id, data=data)
