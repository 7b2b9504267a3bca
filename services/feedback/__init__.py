"""The Feedback board (SPEC §5.9, reference 002): clients post ideas, vote and comment; the
agency moves them through its statuses onto the roadmap and into the changelog.

A board is one company's (its portal's); every read goes through ``scoped()``, so another
tenant's posts, comments and votes are 404. Modules: ``posts`` (ideas), ``votes``, ``comments``,
``taxonomy`` (categories, statuses, tags, the board's settings) and ``board`` (the read views).
This module holds what they share: who may do what, and the lookups.
"""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from portal.errors import Forbidden, NotFound
from portal.models import ClientRole, FeedbackPost, FeedbackStatus, Portal
from portal.tenancy import Actor, role_at_least, scoped, staff_can

KEY_RE = re.compile(r"^[A-Za-z0-9]{1,12}$")


def can_manage_board(actor: Actor) -> bool:
    """The agency: staff who may write in the portal, or an agency-wide API key."""
    return staff_can(actor, "portal.write")


def require_board_manager(actor: Actor) -> None:
    if not can_manage_board(actor):
        raise Forbidden("Only the agency team can do that.")


def can_post(actor: Actor) -> bool:
    """Ideas and comments: staff, and clients from collaborator up."""
    return actor.is_staff or role_at_least(actor, ClientRole.collaborator)


def require_poster(actor: Actor) -> None:
    if not can_post(actor):
        raise Forbidden("Viewers can read the board and vote, but not post.")


def vote_role(session: Session, company_id: int) -> str:
    """The portal's setting: the lowest client role that may vote."""
    role = session.exec(select(Portal.feedback_vote_role).where(Portal.company_id == company_id))
    return role.first() or ClientRole.viewer.value


def may_vote(actor: Actor, role: str) -> bool:
    if actor.is_staff:
        return True
    return actor.user_id is not None and role_at_least(actor, ClientRole(role))


def get_post(*, session: Session, actor: Actor, key: str) -> FeedbackPost:
    """A post the actor may see, by its public key (anything else is a 404)."""
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise NotFound("No such post.")
    post = session.exec(
        scoped(select(FeedbackPost).where(FeedbackPost.key == key), actor, FeedbackPost)
    ).first()
    if post is None:
        raise NotFound("No such post.")
    return post


def post_url(session: Session, post: FeedbackPost) -> str:
    """Where a post lives in its portal (notification links)."""
    slug = session.exec(select(Portal.slug).where(Portal.company_id == post.company_id)).first()
    return f"/p/{slug}/feedback/{post.key}"


def lock_post(session: Session, post: FeedbackPost) -> FeedbackPost:
    """Re-read under a row lock (PostgreSQL): edits of one post apply one after the other."""
    session.refresh(post, with_for_update=True)
    return post


def all_statuses(session: Session) -> list[FeedbackStatus]:
    """The agency's workflow, in order (a handful of rows shared by every board)."""
    return list(
        session.exec(
            select(FeedbackStatus).order_by(col(FeedbackStatus.order), col(FeedbackStatus.id))
        ).all()
    )


def default_status(statuses: list[FeedbackStatus]) -> FeedbackStatus:
    for status in statuses:
        if status.is_default:
            return status
    if not statuses:
        raise NotFound("The board has no statuses; add one first.")
    return statuses[0]
