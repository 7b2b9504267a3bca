"""Comments on ideas: replies one level deep, pinning and "tag for changelog" for the agency,
edit and delete by the author or the agency, ``@mentions`` through the notifications."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import FeedbackComment, FeedbackPost, User
from portal.models.activity import Action
from portal.models.base import utcnow
from portal.models.feedback import CommentCreate, CommentUpdate, Moderation
from portal.tenancy import Actor, get_for_actor, scoped
from portal.text import plain_excerpt
from services.events import activity
from services.events.notifications import Subject, notify
from services.feedback import can_manage_board, get_post, post_url, require_poster
from services.feedback.moderation import activity_type, needs_approval
from services.notes import mention_tokens, notify_mentions


def _bump(session: Session, post_id: int, delta: int) -> None:
    session.exec(
        update(FeedbackPost)
        .where(col(FeedbackPost.id) == post_id)
        .values(comment_count=FeedbackPost.comment_count + delta)
    )


def get_comment(
    *, session: Session, actor: Actor, comment_id: int, key: str | None = None
) -> FeedbackComment:
    """A comment on a post the actor may see (comments on drafts are the agency's too); with
    ``key``, on that post only."""
    comment = get_for_actor(session, FeedbackComment, comment_id, actor)
    post = session.exec(
        scoped(select(FeedbackPost).where(FeedbackPost.id == comment.post_id), actor, FeedbackPost)
    ).first()
    if post is None or (key is not None and post.key != key):
        raise NotFound()
    return comment


def _notify(
    session: Session,
    *,
    actor: Actor,
    post: FeedbackPost,
    comment: FeedbackComment,
    tokens: set[str],
    new_comment: bool,
) -> None:
    url = f"{post_url(session, post)}#comment-{comment.id}"
    excerpt = plain_excerpt(comment.body)
    mentioned = notify_mentions(
        session,
        actor=actor,
        company_id=post.company_id,
        tokens=tokens,
        type="feedback_mention",
        label=f"the idea {post.title}",
        body=comment.body,
        url=url,
    )
    if new_comment and post.author_id not in mentioned:
        notify(
            session,
            user_ids=[post.author_id],
            type="feedback_comment",
            title=f"{actor.label} commented on your idea {post.title}",
            body=excerpt,
            company_id=post.company_id,
            actor=actor,
            url=url,
            subject=Subject("feedback_post", post.id, post.title),
        )


def create_comment(
    *, session: Session, actor: Actor, key: str, data: CommentCreate
) -> FeedbackComment:
    """Comment on an idea, or reply to a comment (a reply to a reply joins the same thread)."""
    post = get_post(session=session, actor=actor, key=key)
    require_poster(actor)
    manager = can_manage_board(actor)
    if not post.allow_comments and not manager:
        raise Invalid("Comments are closed on this idea.", code="comments_closed")
    parent_id = None
    if data.parent_id is not None:
        parent = session.exec(
            select(FeedbackComment).where(
                FeedbackComment.id == data.parent_id, FeedbackComment.post_id == post.id
            )
        ).first()
        if parent is None:
            raise Invalid(errors={"parent_id": ["The parent comment is not on this post."]})
        parent_id = parent.parent_id or parent.id
    if (data.pinned_to_top or data.tagged_for_changelog) and not manager:
        raise Forbidden("Only the agency team can pin comments or tag them for the changelog.")
    comment = FeedbackComment(
        company_id=post.company_id,
        post_id=post.id,  # type: ignore[arg-type]
        parent_id=parent_id,
        author_id=actor.user_id,
        body=data.comment,
        pinned_to_top=data.pinned_to_top,
        tagged_for_changelog=data.tagged_for_changelog,
    )
    if needs_approval(session, actor=actor, company_id=post.company_id):
        comment.moderation_status = Moderation.pending.value
    session.add(comment)
    session.flush()
    activity.record(
        session,
        actor=actor,
        company_id=post.company_id,
        action=Action.feedback_commented,
        object_type=activity_type(comment),
        object_id=post.id,
        object_label=post.title,
        description=f"{actor.label} commented on {post.title}",
    )
    if comment.moderation_status == Moderation.approved.value:
        _bump(session, comment.post_id, +1)
        _notify(
            session,
            actor=actor,
            post=post,
            comment=comment,
            tokens=mention_tokens(comment.body),
            new_comment=True,
        )
    return comment


def notify_comment(session: Session, *, post: FeedbackPost, comment: FeedbackComment) -> None:
    """The notifications of a comment, sent once it is approved (in its author's name)."""
    author = session.get(User, comment.author_id) if comment.author_id else None
    speaker = Actor(
        kind="client", user_id=comment.author_id, label=author.display_name if author else ""
    )
    _notify(
        session,
        actor=speaker,
        post=post,
        comment=comment,
        tokens=mention_tokens(comment.body),
        new_comment=True,
    )


def _require_author_or_agency(actor: Actor, comment: FeedbackComment) -> None:
    if can_manage_board(actor):
        return
    if actor.user_id is None or actor.user_id != comment.author_id:
        raise Forbidden("Only the author or the agency team can change this comment.")


def update_comment(
    *,
    session: Session,
    actor: Actor,
    comment_id: int,
    data: CommentUpdate,
    key: str | None = None,
) -> FeedbackComment:
    """Edit a comment (its author or the agency); people newly mentioned are notified."""
    comment = get_comment(session=session, actor=actor, comment_id=comment_id, key=key)
    _require_author_or_agency(actor, comment)
    sent = data.model_fields_set
    flags = {"pinned_to_top", "tagged_for_changelog"} & sent
    if flags and not can_manage_board(actor):
        raise Forbidden("Only the agency team can pin comments or tag them for the changelog.")
    new_tokens = mention_tokens(data.comment) - mention_tokens(comment.body)
    comment.body = data.comment
    if data.pinned_to_top is not None:
        comment.pinned_to_top = data.pinned_to_top
    if data.tagged_for_changelog is not None:
        comment.tagged_for_changelog = data.tagged_for_changelog
    comment.updated_at = utcnow()
    session.add(comment)
    session.flush()
    if new_tokens:
        post = session.get(FeedbackPost, comment.post_id)
        assert post is not None
        _notify(
            session, actor=actor, post=post, comment=comment, tokens=new_tokens, new_comment=False
        )
    return comment


def set_pinned(
    *, session: Session, actor: Actor, comment_id: int, pinned: bool, key: str | None = None
) -> FeedbackComment:
    """Pin a comment to the top of its idea (the agency team)."""
    comment = get_comment(session=session, actor=actor, comment_id=comment_id, key=key)
    if not can_manage_board(actor):
        raise Forbidden("Only the agency team can pin comments.")
    comment.pinned_to_top = pinned
    session.add(comment)
    session.flush()
    return comment


def delete_comment(
    *, session: Session, actor: Actor, comment_id: int, key: str | None = None
) -> FeedbackPost:
    """Delete a comment and its replies (the author or the agency); the count follows."""
    comment = get_comment(session=session, actor=actor, comment_id=comment_id, key=key)
    _require_author_or_agency(actor, comment)
    counted = session.exec(
        select(func.count())
        .select_from(FeedbackComment)
        .where(
            or_(
                col(FeedbackComment.id) == comment.id, col(FeedbackComment.parent_id) == comment.id
            ),
            FeedbackComment.moderation_status == Moderation.approved.value,
        )
    ).one()
    post = session.get(FeedbackPost, comment.post_id)
    assert post is not None
    activity.record(
        session,
        actor=actor,
        company_id=post.company_id,
        action=Action.feedback_comment_deleted,
        object_type="feedback_post",
        object_id=post.id,
        object_label=post.title,
        description=f"{actor.label} deleted a comment on {post.title}",
    )
    session.delete(comment)
    session.flush()
    _bump(session, comment.post_id, -int(counted))
    session.refresh(post)
    return post


@dataclass(frozen=True)
class CommentRecord:
    """A comment as the API gives it: with its author and where it lives in the portal."""

    comment: FeedbackComment
    author: User | None
    url: str


def list_comments(*, session: Session, actor: Actor, key: str) -> list[CommentRecord]:
    """A post's comments in reading order: pinned first, then oldest first, with authors."""
    post = get_post(session=session, actor=actor, key=key)
    url = post_url(session, post)
    return [
        CommentRecord(comment=c, author=u, url=f"{url}#comment-{c.id}")
        for c, u in comments_of(session, post.id, approved_only=not actor.is_staff)  # type: ignore[arg-type]
    ]


def comment_record(*, session: Session, actor: Actor, comment_id: int) -> CommentRecord:
    """One comment the actor may see, as the API gives it."""
    comment = get_comment(session=session, actor=actor, comment_id=comment_id)
    post = session.get(FeedbackPost, comment.post_id)
    assert post is not None
    author = session.get(User, comment.author_id) if comment.author_id else None
    return CommentRecord(
        comment=comment, author=author, url=f"{post_url(session, post)}#comment-{comment.id}"
    )


def comments_of(
    session: Session, post_id: int, *, approved_only: bool
) -> list[tuple[FeedbackComment, User | None]]:
    stmt = (
        select(FeedbackComment, User)
        .join(User, col(User.id) == col(FeedbackComment.author_id), isouter=True)
        .where(FeedbackComment.post_id == post_id)
    )
    if approved_only:
        stmt = stmt.where(FeedbackComment.moderation_status == Moderation.approved.value)
    rows = session.exec(
        stmt.order_by(
            col(FeedbackComment.pinned_to_top).desc(),
            col(FeedbackComment.created_at),
            col(FeedbackComment.id),
        )
    ).all()
    return [(c, u) for c, u in rows]
