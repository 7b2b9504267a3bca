"""Vote rules: once per user and per anonymous id, revocable, counted exactly, gated by the
portal's setting, never on drafts or shipped ideas."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import FeedbackPost, FeedbackVote, Portal
from services.feedback import votes
from tests.factories.feedback import board_actor, make_post


def _count(db, post) -> int:
    db.expire_all()
    return db.exec(select(FeedbackPost.vote_count).where(FeedbackPost.id == post.id)).one()


def test_one_vote_per_user_and_revoke(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    me = board_actor(db, tenants.acme_admin, tenants.acme)
    votes.vote(session=db, actor=me, key=post.key)
    with pytest.raises(Invalid, match="already voted") as second:
        votes.vote(session=db, actor=me, key=post.key)
    assert second.value.status == 422
    assert _count(db, post) == 1
    votes.unvote(session=db, actor=me, key=post.key)
    assert _count(db, post) == 0
    with pytest.raises(Invalid, match="has not voted yet"):
        votes.unvote(session=db, actor=me, key=post.key)
    assert _count(db, post) == 0


def test_anonymous_votes_follow_the_same_rules(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    key_actor = board_actor(db, tenants.staff_admin, tenants.acme)
    votes.vote_anonymously(session=db, actor=key_actor, key=post.key, anonymous_id="abc123")
    votes.vote_anonymously(session=db, actor=key_actor, key=post.key, anonymous_id="def456")
    with pytest.raises(Invalid, match="Anonymous user has already voted"):
        votes.vote_anonymously(session=db, actor=key_actor, key=post.key, anonymous_id="abc123")
    votes.vote(session=db, actor=board_actor(db, tenants.acme_admin, tenants.acme), key=post.key)
    assert _count(db, post) == 3
    votes.revoke_anonymous_vote(session=db, actor=key_actor, key=post.key, anonymous_id="abc123")
    with pytest.raises(Invalid, match="Anonymous user has not voted yet"):
        votes.revoke_anonymous_vote(
            session=db, actor=key_actor, key=post.key, anonymous_id="abc123"
        )
    with pytest.raises(Invalid):
        votes.vote_anonymously(session=db, actor=key_actor, key=post.key, anonymous_id="no spaces!")
    assert _count(db, post) == 2
    assert db.exec(select(FeedbackVote).where(FeedbackVote.post_id == post.id)).all()


def test_the_portal_decides_whether_viewers_vote(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    viewer = board_actor(db, tenants.acme_viewer, tenants.acme)
    votes.vote(session=db, actor=viewer, key=post.key)
    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.feedback_vote_role = "collaborator"
    db.add(portal)
    db.flush()
    votes.unvote(session=db, actor=viewer, key=post.key)  # a vote can always be taken back
    with pytest.raises(Forbidden):
        votes.vote(session=db, actor=viewer, key=post.key)
    votes.vote(session=db, actor=board_actor(db, tenants.acme_collab, tenants.acme), key=post.key)


def test_shipped_ideas_take_no_votes(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme, status="Done", staff=tenants.pm)
    with pytest.raises(Invalid, match="not voteable"):
        votes.vote(
            session=db, actor=board_actor(db, tenants.acme_admin, tenants.acme), key=post.key
        )


def test_votes_on_behalf_of_users(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    agency = board_actor(db, tenants.staff_admin, tenants.acme)
    votes.vote_as(session=db, actor=agency, key=post.key, user_id=tenants.acme_viewer.id)
    with pytest.raises(Invalid, match="already voted"):
        votes.vote_as(session=db, actor=agency, key=post.key, user_id=tenants.acme_viewer.id)
    with pytest.raises(NotFound):  # Globex's people cannot vote on Acme's board
        votes.vote_as(session=db, actor=agency, key=post.key, user_id=tenants.globex_admin.id)
    listed = votes.list_votes(session=db, actor=agency, key=post.key)
    assert [u.id for _, u in listed] == [tenants.acme_viewer.id]
    votes.unvote_as(session=db, actor=agency, key=post.key, user_id=tenants.acme_viewer.id)
    assert _count(db, post) == 0
