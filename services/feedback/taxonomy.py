"""How a board is organised: categories (its users see them), tags (the agency's), the shared
statuses, and the board's setting of who may vote."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import (
    FeedbackCategory,
    FeedbackPost,
    FeedbackStatus,
    FeedbackTag,
    Portal,
)
from portal.models.base import utcnow
from portal.models.feedback import (
    BoardSettingsUpdate,
    CategoryCreate,
    CategoryUpdate,
    StatusCreate,
    StatusUpdate,
    TagCreate,
)
from portal.tenancy import Actor, get_for_actor, require_staff, scoped
from services.feedback import (
    all_statuses,
    can_manage_board,
    default_status,
    require_board_manager,
)

TAKEN = "The name has already been taken."


def resolve_board(*, session: Session, actor: Actor, portal_id: int | None) -> int:
    """The company whose board a write goes to: the named portal (one the actor sees), else
    the actor's own company (a client, a company key). Agency keys must name a portal."""
    if portal_id is not None:
        return get_for_actor(session, Portal, portal_id, actor).company_id
    if actor.company_id is not None:
        return actor.company_id
    raise Invalid(errors={"portal_id": ["Name the portal whose board this is for."]})


def portal_ids(*, session: Session, company_ids: set[int]) -> dict[int, int]:
    """The portal id of each company (what reference 002 calls a tag's ``portal_id``)."""
    if not company_ids:
        return {}
    rows = session.exec(
        select(Portal.company_id, Portal.id).where(col(Portal.company_id).in_(sorted(company_ids)))
    ).all()
    return {cid: pid or 0 for cid, pid in rows}


# Categories ------------------------------------------------------------------------------------


def can_manage_categories(actor: Actor) -> bool:
    """The agency, and the client's own admins (it is their board to organise)."""
    return can_manage_board(actor) or (not actor.is_staff and actor.can("portal.manage"))


def _require_category_manager(actor: Actor) -> None:
    if not can_manage_categories(actor):
        raise Forbidden("You do not have permission to manage categories.")


def list_categories(*, session: Session, actor: Actor) -> list[FeedbackCategory]:
    """The categories of the boards the actor sees (in a portal: that board's), by name."""
    return list(
        session.exec(
            scoped(select(FeedbackCategory), actor, FeedbackCategory).order_by(
                func.lower(FeedbackCategory.name), col(FeedbackCategory.id)
            )
        ).all()
    )


def categories_to_manage(*, session: Session, actor: Actor) -> list[FeedbackCategory]:
    """The categories page of a board: only for those who may organise it."""
    _require_category_manager(actor)
    return list_categories(session=session, actor=actor)


def _name_taken(session: Session, company_id: int, name: str, exclude: int | None) -> bool:
    stmt = select(FeedbackCategory.id).where(
        FeedbackCategory.company_id == company_id,
        func.lower(FeedbackCategory.name) == name.lower(),
    )
    if exclude is not None:
        stmt = stmt.where(col(FeedbackCategory.id) != exclude)
    return session.exec(stmt).first() is not None


def create_category(
    *, session: Session, actor: Actor, company_id: int, data: CategoryCreate
) -> FeedbackCategory:
    """A new category; its name is unique on the board (case-insensitively)."""
    _require_category_manager(actor)
    if not actor.can_see_company(company_id):
        raise NotFound()
    if _name_taken(session, company_id, data.name, None):
        raise Invalid(errors={"name": [TAKEN]})
    category = FeedbackCategory(company_id=company_id, name=data.name, color=data.color)
    session.add(category)
    session.flush()
    return category


def update_category(
    *, session: Session, actor: Actor, category_id: int, data: CategoryUpdate
) -> FeedbackCategory:
    category = get_for_actor(session, FeedbackCategory, category_id, actor)
    _require_category_manager(actor)
    if data.name is not None:
        if _name_taken(session, category.company_id, data.name, category.id):
            raise Invalid(errors={"name": [TAKEN]})
        category.name = data.name
    if data.color is not None:
        category.color = data.color
    session.add(category)
    session.flush()
    return category


def delete_category(*, session: Session, actor: Actor, category_id: int) -> None:
    category = get_for_actor(session, FeedbackCategory, category_id, actor)
    _require_category_manager(actor)
    session.delete(category)
    session.flush()


# Tags (the agency's own labels) ------------------------------------------------------------------


def list_tags(*, session: Session, actor: Actor) -> list[FeedbackTag]:
    require_board_manager(actor)
    return list(
        session.exec(
            scoped(select(FeedbackTag), actor, FeedbackTag).order_by(
                func.lower(FeedbackTag.tag), col(FeedbackTag.id)
            )
        ).all()
    )


def _tag_taken(session: Session, company_id: int, tag: str, exclude: int | None) -> bool:
    stmt = select(FeedbackTag.id).where(
        FeedbackTag.company_id == company_id, func.lower(FeedbackTag.tag) == tag.lower()
    )
    if exclude is not None:
        stmt = stmt.where(col(FeedbackTag.id) != exclude)
    return session.exec(stmt).first() is not None


def create_tag(*, session: Session, actor: Actor, company_id: int, data: TagCreate) -> FeedbackTag:
    require_board_manager(actor)
    if not actor.can_see_company(company_id):
        raise NotFound()
    if _tag_taken(session, company_id, data.tag, None):
        raise Invalid(errors={"tag": ["The tag has already been taken."]})
    tag = FeedbackTag(company_id=company_id, tag=data.tag)
    session.add(tag)
    session.flush()
    return tag


def update_tag(*, session: Session, actor: Actor, tag_id: int, data: TagCreate) -> FeedbackTag:
    tag = get_for_actor(session, FeedbackTag, tag_id, actor)
    require_board_manager(actor)
    if _tag_taken(session, tag.company_id, data.tag, tag.id):
        raise Invalid(errors={"tag": ["The tag has already been taken."]})
    tag.tag = data.tag
    tag.updated_at = utcnow()
    session.add(tag)
    session.flush()
    return tag


def delete_tag(*, session: Session, actor: Actor, tag_id: int) -> None:
    tag = get_for_actor(session, FeedbackTag, tag_id, actor)
    require_board_manager(actor)
    session.delete(tag)
    session.flush()


# Statuses (the agency's workflow, shared by every board) ----------------------------------------


def _require_workflow_admin(actor: Actor) -> None:
    require_staff(actor, "settings.feedback", "Only agency admins can change the statuses.")


def _status_taken(session: Session, name: str, exclude: int | None) -> bool:
    stmt = select(FeedbackStatus.id).where(func.lower(FeedbackStatus.name) == name.lower())
    if exclude is not None:
        stmt = stmt.where(col(FeedbackStatus.id) != exclude)
    return session.exec(stmt).first() is not None


def create_status(*, session: Session, actor: Actor, data: StatusCreate) -> FeedbackStatus:
    _require_workflow_admin(actor)
    if _status_taken(session, data.name, None):
        raise Invalid(errors={"name": [TAKEN]})
    order = len(all_statuses(session))
    status = FeedbackStatus(name=data.name, color=data.color, tab=data.tab, order=order)
    session.add(status)
    session.flush()
    return status


def _status(session: Session, status_id: int) -> FeedbackStatus:
    status = session.get(FeedbackStatus, status_id)
    if status is None:
        raise NotFound("No such status.")
    return status


def update_status(
    *, session: Session, actor: Actor, status_id: int, data: StatusUpdate
) -> FeedbackStatus:
    _require_workflow_admin(actor)
    status = _status(session, status_id)
    if data.name is not None:
        if _status_taken(session, data.name, status.id):
            raise Invalid(errors={"name": [TAKEN]})
        status.name = data.name
    if data.color is not None:
        status.color = data.color
    if data.tab is not None:
        status.tab = data.tab
    session.add(status)
    session.flush()
    return status


def delete_status(*, session: Session, actor: Actor, status_id: int) -> None:
    """Delete a status; its ideas move to the default status (which cannot be deleted)."""
    _require_workflow_admin(actor)
    status = _status(session, status_id)
    if status.is_default:
        raise Invalid("The default status cannot be deleted.", code="default_status")
    default = default_status(all_statuses(session))
    session.exec(
        update(FeedbackPost)
        .where(col(FeedbackPost.status_id) == status.id)
        .values(status_id=default.id)
    )
    session.delete(status)
    session.flush()


# The board's setting ---------------------------------------------------------------------------


def update_board_settings(
    *, session: Session, actor: Actor, company_id: int, data: BoardSettingsUpdate
) -> Portal:
    """Who may vote on the board (everyone who sees it, or collaborators and admins), and
    whether the client's ideas and comments wait for approval."""
    require_board_manager(actor)
    portal = session.exec(
        scoped(select(Portal).where(Portal.company_id == company_id), actor, Portal)
    ).first()
    if portal is None:
        raise NotFound()
    portal.feedback_vote_role = data.vote_role
    portal.feedback_moderation = data.moderation
    session.add(portal)
    session.flush()
    return portal
