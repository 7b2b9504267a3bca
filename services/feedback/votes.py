"""Votes: one per signed-in user and one per anonymous id on each post, counted exactly.

The unique constraints on (post, user) and (post, anonymous id) decide who voted first; the
post's ``vote_count`` moves in one ``UPDATE … SET vote_count = vote_count + 1`` statement in the
same transaction, so concurrent votes never lose an increment (each row lock or SQLite's
writer lock orders them).
"""

from __future__ import annotations

import re

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import FeedbackPost, FeedbackStatus, FeedbackVote, User
from portal.models.feedback import Moderation, StatusTab
from portal.tenancy import Actor, actor_for_user, get_for_actor
from services.feedback import get_post, may_vote, vote_role

ANONYMOUS_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _require_voteable(session: Session, post: FeedbackPost) -> None:
    """Drafts, ideas awaiting approval and shipped ideas (changelog statuses) take no votes."""
    tab = session.exec(select(FeedbackStatus.tab).where(FeedbackStatus.id == post.status_id))
    waiting = post.moderation_status != Moderation.approved.value
    if not post.is_published or waiting or tab.first() == StatusTab.changelog.value:
        raise Invalid("Post is not voteable.", code="not_voteable")


def _require_may_vote(session: Session, actor: Actor, post: FeedbackPost) -> None:
    if not may_vote(actor, vote_role(session, post.company_id)):
        raise Forbidden("On this board only collaborators and admins may vote.")


def _bump(session: Session, post: FeedbackPost, delta: int) -> None:
    session.exec(
        update(FeedbackPost)
        .where(col(FeedbackPost.id) == post.id)
        .values(vote_count=FeedbackPost.vote_count + delta)
    )
    session.refresh(post, attribute_names=["vote_count"])


def _insert(
    session: Session, post: FeedbackPost, *, user_id: int | None, anonymous_id: str | None
) -> FeedbackVote:
    assert post.id is not None
    vote = FeedbackVote(
        company_id=post.company_id, post_id=post.id, user_id=user_id, anonymous_id=anonymous_id
    )
    try:
        with session.begin_nested():
            session.add(vote)
            session.flush()
    except IntegrityError:
        message = (
            "Anonymous user has already voted for this item."
            if anonymous_id
            else "User has already voted for this post."
        )
        raise Invalid(message, code="already_voted") from None
    _bump(session, post, +1)
    return vote


def _remove(
    session: Session, post: FeedbackPost, *, user_id: int | None, anonymous_id: str | None
) -> None:
    stmt = delete(FeedbackVote).where(col(FeedbackVote.post_id) == post.id)
    if anonymous_id is not None:
        stmt = stmt.where(col(FeedbackVote.anonymous_id) == anonymous_id)
    else:
        stmt = stmt.where(col(FeedbackVote.user_id) == user_id)
    result = session.exec(stmt)
    if not getattr(result, "rowcount", 0):
        message = "Anonymous user has not voted yet." if anonymous_id else "User has not voted yet."
        raise Invalid(message, code="not_voted")
    _bump(session, post, -1)


# The signed-in visitor ------------------------------------------------------------------------


def vote(*, session: Session, actor: Actor, key: str) -> FeedbackPost:
    """The visitor votes for an idea (a second vote is a 422 "already voted")."""
    post = get_post(session=session, actor=actor, key=key)
    if actor.user_id is None:
        raise Forbidden("Sign in to vote.")
    _require_may_vote(session, actor, post)
    _require_voteable(session, post)
    _insert(session, post, user_id=actor.user_id, anonymous_id=None)
    return post


def unvote(*, session: Session, actor: Actor, key: str) -> FeedbackPost:
    """The visitor takes their vote back (none to take back is a 422)."""
    post = get_post(session=session, actor=actor, key=key)
    if actor.user_id is None:
        raise Forbidden("Sign in to vote.")
    _require_voteable(session, post)
    _remove(session, post, user_id=actor.user_id, anonymous_id=None)
    return post


# On behalf of others (the API) -----------------------------------------------------------------


def _voter(session: Session, *, actor: Actor, post: FeedbackPost, user_id: int) -> User:
    """A user who can see the post's board: staff, or a client of its company (or its parent)."""
    try:
        user = get_for_actor(session, User, user_id, actor)
    except NotFound:
        raise NotFound("No such user.") from None
    if not user.is_active:
        raise NotFound("No such user.")
    if not user.is_staff and not actor_for_user(session, user).can_see_company(post.company_id):
        raise NotFound("No such user.")
    return user


def vote_as(*, session: Session, actor: Actor, key: str, user_id: int) -> FeedbackVote:
    """Record ``user_id``'s vote (an integration voting for its users)."""
    post = get_post(session=session, actor=actor, key=key)
    voter = _voter(session, actor=actor, post=post, user_id=user_id)
    _require_may_vote(session, actor_for_user(session, voter), post)
    _require_voteable(session, post)
    return _insert(session, post, user_id=voter.id, anonymous_id=None)


def unvote_as(*, session: Session, actor: Actor, key: str, user_id: int) -> None:
    post = get_post(session=session, actor=actor, key=key)
    voter = _voter(session, actor=actor, post=post, user_id=user_id)
    _require_voteable(session, post)
    _remove(session, post, user_id=voter.id, anonymous_id=None)


def checked_anonymous_id(value: str) -> str:
    if not ANONYMOUS_ID_RE.match(value or ""):
        raise Invalid(
            "The anonymous id is invalid.",
            errors={"anonymous_id": ["Use 1 to 64 letters, digits, dashes or underscores."]},
        )
    return value


def vote_anonymously(
    *, session: Session, actor: Actor, key: str, anonymous_id: str
) -> FeedbackVote:
    """An anonymous visitor's vote, keyed by their anonymous id (once per post)."""
    post = get_post(session=session, actor=actor, key=key)
    _require_voteable(session, post)
    return _insert(session, post, user_id=None, anonymous_id=checked_anonymous_id(anonymous_id))


def revoke_anonymous_vote(*, session: Session, actor: Actor, key: str, anonymous_id: str) -> None:
    post = get_post(session=session, actor=actor, key=key)
    _require_voteable(session, post)
    _remove(session, post, user_id=None, anonymous_id=checked_anonymous_id(anonymous_id))


def list_votes(
    *, session: Session, actor: Actor, key: str
) -> list[tuple[FeedbackVote, User | None]]:
    """A post's votes, oldest first, with their voters (anonymous votes have none)."""
    post = get_post(session=session, actor=actor, key=key)
    rows = session.exec(
        select(FeedbackVote, User)
        .join(User, col(User.id) == col(FeedbackVote.user_id), isouter=True)
        .where(FeedbackVote.post_id == post.id)
        .order_by(col(FeedbackVote.created_at), col(FeedbackVote.id))
    ).all()
    return [(v, u) for v, u in rows]
