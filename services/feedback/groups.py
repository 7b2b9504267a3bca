"""A board's user groups (reference 002's ``/groups``): named sets of the board's users.

The agency and the client's own admins organise them (as categories); a group and its members
belong to one board, so a member is always a user of that board's company.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import Company, FeedbackGroup, FeedbackGroupMember, User
from portal.models.base import utcnow
from portal.models.feedback import GroupCreate, GroupUpdate
from portal.tenancy import Actor, get_for_actor, scoped
from services.feedback.taxonomy import can_manage_categories

TAKEN = "The name has already been taken."
NOT_FOUND = "Group or User not found"


def _require_manager(actor: Actor) -> None:
    if not can_manage_categories(actor):
        raise Forbidden("You do not have permission to manage groups.")


def list_groups(*, session: Session, actor: Actor) -> list[FeedbackGroup]:
    """The groups of the boards the actor sees, by name."""
    _require_manager(actor)
    return list(
        session.exec(
            scoped(select(FeedbackGroup), actor, FeedbackGroup).order_by(
                func.lower(FeedbackGroup.name), col(FeedbackGroup.id)
            )
        ).all()
    )


def get_group(*, session: Session, actor: Actor, group_id: int) -> FeedbackGroup:
    group = get_for_actor(session, FeedbackGroup, group_id, actor)
    _require_manager(actor)
    return group


def _name_taken(session: Session, company_id: int, name: str, exclude: int | None) -> bool:
    stmt = select(FeedbackGroup.id).where(
        FeedbackGroup.company_id == company_id, func.lower(FeedbackGroup.name) == name.lower()
    )
    if exclude is not None:
        stmt = stmt.where(col(FeedbackGroup.id) != exclude)
    return session.exec(stmt).first() is not None


def create_group(
    *, session: Session, actor: Actor, company_id: int, data: GroupCreate
) -> FeedbackGroup:
    """A new group; its name is unique on the board (case-insensitively)."""
    _require_manager(actor)
    if not actor.can_see_company(company_id):
        raise NotFound()
    if _name_taken(session, company_id, data.name, None):
        raise Invalid(errors={"name": [TAKEN]})
    group = FeedbackGroup(company_id=company_id, name=data.name, description=data.description)
    session.add(group)
    session.flush()
    return group


def update_group(
    *, session: Session, actor: Actor, group_id: int, data: GroupUpdate
) -> FeedbackGroup:
    group = get_group(session=session, actor=actor, group_id=group_id)
    sent = data.model_fields_set
    if "name" in sent and data.name is not None:
        if _name_taken(session, group.company_id, data.name, group.id):
            raise Invalid(errors={"name": [TAKEN]})
        group.name = data.name
    if "description" in sent:
        group.description = data.description
    group.updated_at = utcnow()
    session.add(group)
    session.flush()
    return group


def delete_group(*, session: Session, actor: Actor, group_id: int) -> None:
    group = get_group(session=session, actor=actor, group_id=group_id)
    for member in session.exec(
        select(FeedbackGroupMember).where(FeedbackGroupMember.group_id == group.id)
    ).all():
        session.delete(member)
    session.delete(group)
    session.flush()


def _group_and_user(
    session: Session, actor: Actor, group_id: int, user_id: int
) -> tuple[FeedbackGroup, User]:
    """The group and a user of its board; anything else (another board's user, another
    tenant's group, nothing at all) is the one 404 of reference 002."""
    group = session.exec(
        scoped(select(FeedbackGroup), actor, FeedbackGroup).where(FeedbackGroup.id == group_id)
    ).first()
    if group is None:
        raise NotFound(NOT_FOUND)
    _require_manager(actor)
    user = session.get(User, user_id)
    if user is None or user.is_staff or user.company_id != group.company_id:
        raise NotFound(NOT_FOUND)
    return group, user


def _membership(session: Session, group_id: int, user_id: int) -> FeedbackGroupMember | None:
    return session.exec(
        select(FeedbackGroupMember).where(
            FeedbackGroupMember.group_id == group_id, FeedbackGroupMember.user_id == user_id
        )
    ).first()


def add_user(*, session: Session, actor: Actor, group_id: int, user_id: int) -> None:
    """422 "User is already in the group" the second time (the unique constraint holds it
    under concurrency too)."""
    group, user = _group_and_user(session, actor, group_id, user_id)
    group_id, user_id = group.id or 0, user.id or 0
    if _membership(session, group_id, user_id) is not None:
        raise Invalid("User is already in the group")
    try:
        with session.begin_nested():
            session.add(
                FeedbackGroupMember(company_id=group.company_id, group_id=group_id, user_id=user_id)
            )
            session.flush()
    except IntegrityError:  # added by a parallel request a moment ago
        raise Invalid("User is already in the group") from None


def remove_user(*, session: Session, actor: Actor, group_id: int, user_id: int) -> None:
    group, user = _group_and_user(session, actor, group_id, user_id)
    member = _membership(session, group.id or 0, user.id or 0)
    if member is None:
        raise Invalid("User is not in the group")
    session.delete(member)
    session.flush()


def group_users(*, session: Session, actor: Actor, group_id: int) -> list[tuple[User, str | None]]:
    """The group's members (with their company's name), oldest member first."""
    group = get_group(session=session, actor=actor, group_id=group_id)
    rows = session.exec(
        select(User, Company.name)
        .join(FeedbackGroupMember, col(FeedbackGroupMember.user_id) == col(User.id))
        .outerjoin(Company, col(Company.id) == col(User.company_id))
        .where(FeedbackGroupMember.group_id == group.id)
        .order_by(col(FeedbackGroupMember.id))
    ).all()
    return [(u, name) for u, name in rows]
