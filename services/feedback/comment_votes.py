"""Comment upvotes (reference 002 counts them as a user's ``counter_comment_votes``): one per
signed-in user per comment, toggled, counted exactly like post votes.

The unique constraint on (comment, user) decides who voted first; the comment's ``vote_count``
moves in one ``UPDATE … SET vote_count = vote_count + 1`` in the same transaction, and only when
a row was really inserted or deleted, so concurrent votes never lose or double an increment.
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.errors import Forbidden, Invalid
from portal.models import FeedbackComment, FeedbackCommentVote
from portal.models.feedback import Moderation
from portal.tenancy import Actor
from services.feedback import may_vote, vote_role
from services.feedback.comments import get_comment


def _bump(session: Session, comment: FeedbackComment, delta: int) -> None:
    session.exec(
        update(FeedbackComment)
        .where(col(FeedbackComment.id) == comment.id)
        .values(vote_count=FeedbackComment.vote_count + delta)
    )
    session.refresh(comment, attribute_names=["vote_count"])


def _voteable(session: Session, actor: Actor, comment_id: int, key: str) -> FeedbackComment:
    comment = get_comment(session=session, actor=actor, comment_id=comment_id, key=key)
    if actor.user_id is None:
        raise Forbidden("Sign in to vote.")
    if comment.moderation_status != Moderation.approved.value:
        raise Invalid("Item is not voteable.", code="not_voteable")
    if not may_vote(actor, vote_role(session, comment.company_id)):
        raise Forbidden("On this board only collaborators and admins may vote.")
    return comment


def _insert(session: Session, comment: FeedbackComment, user_id: int) -> bool:
    """Record the vote; False when this user had already voted (nothing changes)."""
    assert comment.id is not None
    try:
        with session.begin_nested():
            session.add(
                FeedbackCommentVote(
                    company_id=comment.company_id, comment_id=comment.id, user_id=user_id
                )
            )
            session.flush()
    except IntegrityError:
        return False
    _bump(session, comment, +1)
    return True


def _remove(session: Session, comment: FeedbackComment, user_id: int) -> bool:
    result = session.exec(
        delete(FeedbackCommentVote).where(
            col(FeedbackCommentVote.comment_id) == comment.id,
            col(FeedbackCommentVote.user_id) == user_id,
        )
    )
    if not getattr(result, "rowcount", 0):
        return False
    _bump(session, comment, -1)
    return True


def toggle_comment_vote(
    *, session: Session, actor: Actor, key: str, comment_id: int, on: bool
) -> FeedbackComment:
    """The visitor upvotes a comment (``on``) or takes the upvote back. Asking for the state the
    comment is already in changes nothing (a double click is not a second vote)."""
    comment = _voteable(session, actor, comment_id, key)
    assert actor.user_id is not None
    if on:
        _insert(session, comment, actor.user_id)
    else:
        _remove(session, comment, actor.user_id)
    return comment


def voted_comment_ids(*, session: Session, actor: Actor, comment_ids: list[int]) -> set[int]:
    """Which of these comments the visitor has upvoted (one query for a whole thread)."""
    if actor.user_id is None or not comment_ids:
        return set()
    rows = session.exec(
        select(FeedbackCommentVote.comment_id).where(
            col(FeedbackCommentVote.user_id) == actor.user_id,
            col(FeedbackCommentVote.comment_id).in_(comment_ids),
        )
    ).all()
    return set(rows)


# Anonymous votes (reference 002: "anonymous votes on posts and comments") ----------------------


def _anonymous_voteable(session: Session, actor: Actor, comment_id: int) -> FeedbackComment:
    comment = get_comment(session=session, actor=actor, comment_id=comment_id)
    if comment.moderation_status != Moderation.approved.value:
        raise Invalid("Item is not voteable.", code="not_voteable")
    return comment


def vote_anonymously(
    *, session: Session, actor: Actor, comment_id: int, anonymous_id: str
) -> FeedbackCommentVote:
    """An anonymous visitor's upvote of a comment, once per anonymous id (422 the second time);
    counted in the same statement as post votes are."""
    comment = _anonymous_voteable(session, actor, comment_id)
    assert comment.id is not None
    vote = FeedbackCommentVote(
        company_id=comment.company_id, comment_id=comment.id, anonymous_id=anonymous_id
    )
    try:
        with session.begin_nested():
            session.add(vote)
            session.flush()
    except IntegrityError:
        raise Invalid(
            "Anonymous user has already voted for this item.", code="already_voted"
        ) from None
    _bump(session, comment, +1)
    return vote


def revoke_anonymous_vote(
    *, session: Session, actor: Actor, comment_id: int, anonymous_id: str
) -> None:
    comment = _anonymous_voteable(session, actor, comment_id)
    result = session.exec(
        delete(FeedbackCommentVote).where(
            col(FeedbackCommentVote.comment_id) == comment.id,
            col(FeedbackCommentVote.anonymous_id) == anonymous_id,
        )
    )
    if not getattr(result, "rowcount", 0):
        raise Invalid("Anonymous user has not voted yet.", code="not_voted")
    _bump(session, comment, -1)
