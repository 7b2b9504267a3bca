"""Moderation: where a portal asks for it, the client's ideas and comments wait for the agency.

Waiting (``pending``) and ``rejected`` items are the agency's only (``__staff_only__`` on both
models): no one else sees them, votes on them or counts them, and their activity rows are
staff-only until approved. Approving a comment counts it and sends its notifications then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, col, select

from portal.errors import NotFound
from portal.models import FeedbackComment, FeedbackPost, Portal, User
from portal.models.activity import FEEDBACK_MODERATION_ACTIVITY, Action
from portal.models.base import utcnow
from portal.models.feedback import Moderation
from portal.tenancy import Actor, scoped
from portal.web.args import parse_int
from services.events import activity
from services.events.notifications import notify
from services.feedback import get_post, post_url, require_board_manager

ItemType = Literal["post", "comment"]
QUEUE_LIMIT = 100


def needs_approval(session: Session, *, actor: Actor, company_id: int) -> bool:
    """The portal's setting, for the client's people and keys (the agency never waits)."""
    if actor.is_staff:
        return False
    setting = session.exec(
        select(Portal.feedback_moderation).where(Portal.company_id == company_id)
    ).first()
    return bool(setting)


def activity_type(item: FeedbackPost | FeedbackComment) -> str:
    """Activity about an item the client cannot see yet is staff-only."""
    approved = item.moderation_status == Moderation.approved.value
    return "feedback_post" if approved else FEEDBACK_MODERATION_ACTIVITY


@dataclass(frozen=True)
class QueuedComment:
    comment: FeedbackComment
    author: User | None
    post: FeedbackPost


@dataclass(frozen=True)
class ModerationQueue:
    status: str
    posts: list[tuple[FeedbackPost, User | None]]
    comments: list[QueuedComment]

    def __bool__(self) -> bool:
        return bool(self.posts or self.comments)


def moderation_queue(
    *, session: Session, actor: Actor, status: str = Moderation.pending.value
) -> ModerationQueue:
    """Pending (or rejected) ideas and comments on the boards the agency member sees, newest
    first (at most 100 of each)."""
    require_board_manager(actor)
    if status not in (Moderation.pending.value, Moderation.rejected.value):
        raise NotFound()
    posts = session.exec(
        scoped(
            select(FeedbackPost, User).join(
                User, col(User.id) == col(FeedbackPost.author_id), isouter=True
            ),
            actor,
            FeedbackPost,
        )
        .where(FeedbackPost.moderation_status == status)
        .order_by(col(FeedbackPost.created_at).desc(), col(FeedbackPost.id).desc())
        .limit(QUEUE_LIMIT)
    ).all()
    comments = session.exec(
        scoped(
            select(FeedbackComment, User, FeedbackPost)
            .join(FeedbackPost, col(FeedbackPost.id) == col(FeedbackComment.post_id))
            .join(User, col(User.id) == col(FeedbackComment.author_id), isouter=True),
            actor,
            FeedbackComment,
        )
        .where(FeedbackComment.moderation_status == status)
        .order_by(col(FeedbackComment.created_at).desc(), col(FeedbackComment.id).desc())
        .limit(QUEUE_LIMIT)
    ).all()
    return ModerationQueue(
        status=status,
        posts=[(p, u) for p, u in posts],
        comments=[QueuedComment(comment=c, author=u, post=p) for c, u, p in comments],
    )


def load_item(
    *, session: Session, actor: Actor, item_type: str, item_id: str
) -> tuple[FeedbackPost, FeedbackComment | None]:
    """The post (by key) or comment (by id) an approval names, if the actor may see it."""
    if item_type == "post":
        return get_post(session=session, actor=actor, key=item_id), None
    if item_type == "comment":
        from services.feedback.comments import get_comment

        number = parse_int(item_id, minimum=1)
        if number is None:
            raise NotFound()
        comment = get_comment(session=session, actor=actor, comment_id=number)
        post = session.get(FeedbackPost, comment.post_id)
        assert post is not None
        return post, comment
    raise NotFound()


def _count_comment(session: Session, comment: FeedbackComment, delta: int) -> None:
    session.exec(
        update(FeedbackPost)
        .where(col(FeedbackPost.id) == comment.post_id)
        .values(comment_count=FeedbackPost.comment_count + delta)
    )


def approve(
    *, session: Session, actor: Actor, item_type: str, item_id: str
) -> FeedbackPost | FeedbackComment:
    """Approve a waiting (or rejected) idea or comment: it appears on the board and counts."""
    post, comment = load_item(
        session=session, actor=actor, item_type=item_type, item_id=item_id
    )  # another tenant's: 404 first
    require_board_manager(actor)
    item: FeedbackPost | FeedbackComment = comment if comment is not None else post
    if item.moderation_status == Moderation.approved.value:
        return item
    item.moderation_status = Moderation.approved.value
    item.moderation_reason = ""
    session.add(item)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=post.company_id,
        action=Action.feedback_approved,
        object_type="feedback_post",
        object_id=post.id,
        object_label=post.title,
        description=f"{actor.label} approved {'a comment on ' if comment else ''}{post.title}",
    )
    if comment is not None:
        _count_comment(session, comment, +1)
        from services.feedback.comments import notify_comment

        notify_comment(session, post=post, comment=comment)
    return item


def reject(
    *, session: Session, actor: Actor, item_type: str, item_id: str, reason: str = ""
) -> FeedbackPost | FeedbackComment:
    """Reject an idea or comment (with a reason its author is told): it leaves the board."""
    post, comment = load_item(
        session=session, actor=actor, item_type=item_type, item_id=item_id
    )  # another tenant's: 404 first
    require_board_manager(actor)
    item: FeedbackPost | FeedbackComment = comment if comment is not None else post
    was_approved = item.moderation_status == Moderation.approved.value
    item.moderation_status = Moderation.rejected.value
    item.moderation_reason = reason
    if comment is None:
        post.updated_at = utcnow()
    session.add(item)
    session.flush()
    if comment is not None and was_approved:
        _count_comment(session, comment, -1)
    activity.record(
        session,
        actor=actor,
        company_id=post.company_id,
        action=Action.feedback_rejected,
        object_type=FEEDBACK_MODERATION_ACTIVITY,
        object_id=post.id,
        object_label=post.title,
        description=f"{actor.label} rejected {'a comment on ' if comment else ''}{post.title}",
    )
    what = "Your comment on" if comment is not None else "Your idea"
    notify(
        session,
        user_ids=[item.author_id],
        type="feedback_status",
        title=f"{what} {post.title} was not approved",
        body=reason,
        company_id=post.company_id,
        actor=actor,
        url=post_url(session, post) if comment is not None else None,
    )
    return item


def toggle_publish(*, session: Session, actor: Actor, key: str) -> FeedbackPost:
    """Publish a draft, or take a published idea back to draft (the agency team)."""
    post = get_post(session=session, actor=actor, key=key)
    require_board_manager(actor)
    post.is_published = not post.is_published
    post.updated_at = utcnow()
    session.add(post)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=post.company_id,
        action=Action.feedback_post_updated,
        object_type=activity_type(post) if post.is_published else FEEDBACK_MODERATION_ACTIVITY,
        object_id=post.id,
        object_label=post.title,
        description=f"{actor.label} {'published' if post.is_published else 'unpublished'} "
        f"{post.title}",
    )
    return post
