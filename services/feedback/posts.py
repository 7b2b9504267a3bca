"""Ideas: create, edit, move through the statuses, publish, delete."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import Session, col, select

from portal.errors import Forbidden, NotFound
from portal.models import (
    FeedbackCategory,
    FeedbackPost,
    FeedbackPostCategory,
    FeedbackPostTag,
    FeedbackStatus,
    FeedbackTag,
    Portal,
    User,
)
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.feedback import Moderation, PostCreate, PostUpdate
from portal.tenancy import Actor, actor_for_user, get_for_actor
from services.events import activity
from services.events.notifications import notify
from services.feedback import (
    all_statuses,
    can_manage_board,
    default_status,
    get_post,
    lock_post,
    post_url,
    require_poster,
)
from services.feedback.moderation import activity_type, needs_approval

KEY_ALPHABET = string.ascii_letters + string.digits
KEY_LENGTH = 6


def new_key() -> str:
    """A post's public id, like reference 002's (``WEukJy``)."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def _unique_key(session: Session) -> str:
    while True:
        key = new_key()
        if session.exec(select(FeedbackPost.id).where(FeedbackPost.key == key)).first() is None:
            return key


def _board_categories(session: Session, company_id: int, ids: Iterable[int]) -> list[int]:
    """The given category ids that belong to this board (unknown ones are dropped, as 002 says)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return [
        c
        for c in session.exec(
            select(FeedbackCategory.id).where(
                FeedbackCategory.company_id == company_id, col(FeedbackCategory.id).in_(wanted)
            )
        ).all()
        if c is not None
    ]


def _set_categories(session: Session, post: FeedbackPost, ids: Iterable[int]) -> None:
    assert post.id is not None
    session.exec(delete(FeedbackPostCategory).where(col(FeedbackPostCategory.post_id) == post.id))
    for category_id in _board_categories(session, post.company_id, ids):
        session.add(
            FeedbackPostCategory(
                post_id=post.id, category_id=category_id, company_id=post.company_id
            )
        )


def _set_tags(session: Session, post: FeedbackPost, names: list[str]) -> None:
    """Tags by name: the board's existing ones reused (case-insensitively), new ones created."""
    assert post.id is not None
    session.exec(delete(FeedbackPostTag).where(col(FeedbackPostTag.post_id) == post.id))
    if not names:
        return
    existing = {
        t.tag.lower(): t
        for t in session.exec(select(FeedbackTag).where(FeedbackTag.company_id == post.company_id))
    }
    for name in names:
        tag = existing.get(name.lower())
        if tag is None:
            tag = FeedbackTag(company_id=post.company_id, tag=name)
            session.add(tag)
            session.flush()
            existing[name.lower()] = tag
        assert tag.id is not None
        session.add(FeedbackPostTag(post_id=post.id, tag_id=tag.id, company_id=post.company_id))


def _status(statuses: list[FeedbackStatus], status_id: int | None) -> FeedbackStatus:
    """The status with this id, or the default one (002: "if not found, the default")."""
    for status in statuses:
        if status.id == status_id:
            return status
    return default_status(statuses)


def board_portal(*, session: Session, actor: Actor, company_id: int) -> Portal:
    """The portal whose board a new post goes on (one the actor may see)."""
    if not actor.can_see_company(company_id):
        raise NotFound("No such board.")
    portal = session.exec(select(Portal).where(Portal.company_id == company_id)).first()
    if portal is None:
        raise NotFound("No such board.")
    return portal


def _author(session: Session, actor: Actor, company_id: int, author_id: int | None) -> int | None:
    """Who the post is by: the actor, or (for an integration's key) a user it names who can
    see the board."""
    if author_id is None or actor.kind != "api_key":
        return actor.user_id
    user = get_for_actor(session, User, author_id, actor)
    if not user.is_staff and not actor_for_user(session, user).can_see_company(company_id):
        raise NotFound("No such user.")
    return user.id


def create_post(
    *,
    session: Session,
    actor: Actor,
    company_id: int,
    data: PostCreate,
    author_id: int | None = None,
) -> FeedbackPost:
    """A new idea on ``company_id``'s board. Clients post published ideas in the default status;
    the agency may also choose the status, tags and whether it is a draft. An API key may post
    for one of the board's users (``author_id``)."""
    require_poster(actor)
    board_portal(session=session, actor=actor, company_id=company_id)
    manager = can_manage_board(actor)
    statuses = all_statuses(session)
    status = _status(statuses, data.status_id if manager else None)
    now = utcnow()
    post = FeedbackPost(
        key=_unique_key(session),
        company_id=company_id,
        title=data.title,
        description=data.description,
        author_id=_author(session, actor, company_id, author_id),
        status_id=status.id,  # type: ignore[arg-type]
        is_published=data.is_published if manager else True,
        created_at=now,
        updated_at=now,
        latest_status_change_at=now,
    )
    if needs_approval(session, actor=actor, company_id=company_id):
        post.moderation_status = Moderation.pending.value
    session.add(post)
    session.flush()
    _set_categories(session, post, data.category_ids)
    if manager:
        _set_tags(session, post, data.tags)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=company_id,
        action=Action.feedback_post_created,
        object_type=activity_type(post),
        object_id=post.id,
        object_label=post.title,
        description=f"{actor.label} posted the idea {post.title}",
    )
    return post


def _require_editor(actor: Actor, post: FeedbackPost) -> None:
    if can_manage_board(actor):
        return
    if actor.user_id is None or actor.user_id != post.author_id:
        raise Forbidden("Only the author or the agency team can change this idea.")
    require_poster(actor)


def update_post(*, session: Session, actor: Actor, key: str, data: PostUpdate) -> FeedbackPost:
    """Change an idea: its author edits the text and categories; the agency also moves it
    through the statuses, tags and publishes it. Only the fields sent change."""
    post = lock_post(session, get_post(session=session, actor=actor, key=key))
    _require_editor(actor, post)
    manager = can_manage_board(actor)
    sent = data.model_fields_set
    if not manager and sent & {"status_id", "tags", "is_published"}:
        raise Forbidden("Only the agency team can change an idea's status, tags or visibility.")
    if "title" in sent and data.title is not None:
        post.title = data.title
    if "description" in sent and data.description is not None:
        post.description = data.description
    if "category_ids" in sent and data.category_ids is not None:
        _set_categories(session, post, data.category_ids)
    if "tags" in sent and data.tags is not None:
        _set_tags(session, post, data.tags)
    if "is_published" in sent and data.is_published is not None:
        post.is_published = data.is_published
    old_status = post.status_id
    if "status_id" in sent and data.status_id is not None:
        post.status_id = _status(all_statuses(session), data.status_id).id  # type: ignore[assignment]
    now = utcnow()
    post.updated_at = now
    if post.status_id != old_status:
        post.latest_status_change_at = now
    session.add(post)
    session.flush()
    if post.status_id != old_status:
        status = session.get(FeedbackStatus, post.status_id)
        notify(
            session,
            user_ids=[post.author_id],
            type="feedback_status",
            title=f"Your idea {post.title} is now {status.name if status else '?'}",
            company_id=post.company_id,
            actor=actor,
            url=post_url(session, post),
        )
        activity.record(
            session,
            actor=actor,
            company_id=post.company_id,
            action=Action.feedback_status_changed,
            object_type="feedback_post",
            object_id=post.id,
            object_label=post.title,
            description=f"{actor.label} moved {post.title} to {status.name if status else '?'}",
        )
    else:
        activity.record(
            session,
            actor=actor,
            company_id=post.company_id,
            action=Action.feedback_post_updated,
            object_type="feedback_post",
            object_id=post.id,
            object_label=post.title,
            description=f"{actor.label} edited the idea {post.title}",
        )
    return post


def delete_post(*, session: Session, actor: Actor, key: str) -> None:
    """Delete an idea with its votes and comments (its author or the agency team)."""
    post = get_post(session=session, actor=actor, key=key)
    _require_editor(actor, post)
    activity.record(
        session,
        actor=actor,
        company_id=post.company_id,
        action=Action.feedback_post_deleted,
        object_type="feedback_post",
        object_id=post.id,
        object_label=post.title,
        description=f"{actor.label} deleted the idea {post.title}",
    )
    session.delete(post)
    session.flush()
