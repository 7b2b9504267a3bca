"""Moderation: where the portal asks for it, the client's ideas and comments wait for the agency."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import ActivityLog, FeedbackPost, Notification, Portal
from portal.tenancy import actor_for_user
from services.events.activity import list_activity
from services.feedback import moderation, posts, votes
from services.feedback.board import board_view, post_detail
from services.feedback.listing import Filters
from tests.factories.deliverables import portal_of
from tests.factories.feedback import board_actor, make_comment, make_post


@pytest.fixture
def moderated(db, tenants):
    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.feedback_moderation = True
    db.add(portal)
    db.flush()
    return portal


def _titles(db, user, company) -> list[str]:
    view = board_view(
        session=db,
        actor=board_actor(db, user, company),
        portal=portal_of(db, company),
        filters=Filters(),
        page=1,
    )
    return [r.post.title for r in view.rows]


def test_client_ideas_wait_for_approval(db, tenants, moderated) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme, "Waiting idea")
    assert post.moderation_status == "pending"
    assert _titles(db, tenants.acme_admin, tenants.acme) == []
    assert _titles(db, tenants.pm, tenants.acme) == ["Waiting idea"]
    with pytest.raises(Invalid, match="not voteable"):
        votes.vote(session=db, actor=board_actor(db, tenants.pm, tenants.acme), key=post.key)
    client_feed, _ = list_activity(db, actor=actor_for_user(db, tenants.acme_admin))
    assert not [a for a in client_feed if a.object_label == "Waiting idea"]
    staff_made = make_post(db, tenants.pm, tenants.acme, "Agency idea")  # the agency never waits
    assert staff_made.moderation_status == "approved"

    staff = board_actor(db, tenants.pm, tenants.acme)
    queue = moderation.moderation_queue(session=db, actor=staff)
    assert [p.title for p, _ in queue.posts] == ["Waiting idea"]
    moderation.approve(session=db, actor=staff, item_type="post", item_id=post.key)
    assert set(_titles(db, tenants.acme_admin, tenants.acme)) == {"Waiting idea", "Agency idea"}
    assert not moderation.moderation_queue(session=db, actor=staff)


def test_rejected_ideas_tell_their_author(db, tenants, moderated) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme, "Not this")
    staff = board_actor(db, tenants.pm, tenants.acme)
    moderation.reject(
        session=db, actor=staff, item_type="post", item_id=post.key, reason="Out of scope"
    )
    note = db.exec(select(Notification).where(Notification.user_id == tenants.acme_collab.id)).one()
    assert "was not approved" in note.title and note.body == "Out of scope"
    rejected = moderation.moderation_queue(session=db, actor=staff, status="rejected")
    assert [p.moderation_reason for p, _ in rejected.posts] == ["Out of scope"]
    assert _titles(db, tenants.acme_collab, tenants.acme) == []
    with pytest.raises(NotFound):  # a rejected idea is the agency's: absent for the client
        moderation.approve(
            session=db,
            actor=board_actor(db, tenants.acme_admin, tenants.acme),
            item_type="post",
            item_id=post.key,
        )
    with pytest.raises(NotFound):
        moderation.approve(session=db, actor=staff, item_type="widget", item_id=post.key)


def test_comments_wait_count_and_notify_once_approved(db, tenants, moderated) -> None:
    tenants.acme_admin.name = "Olivia Owner"
    db.add(tenants.acme_admin)
    post = make_post(db, tenants.pm, tenants.acme, "Open idea")
    comment = make_comment(db, tenants.acme_collab, tenants.acme, post, "Hi @Olivia")
    db.refresh(post)
    assert comment.moderation_status == "pending" and post.comment_count == 0
    assert (
        db.exec(select(Notification).where(Notification.user_id == tenants.acme_admin.id)).all()
        == []
    )
    viewer_detail = post_detail(
        session=db,
        actor=board_actor(db, tenants.acme_viewer, tenants.acme),
        portal=moderated,
        key=post.key,
    )
    assert viewer_detail.comments == []
    staff = board_actor(db, tenants.pm, tenants.acme)
    moderation.approve(session=db, actor=staff, item_type="comment", item_id=str(comment.id))
    db.refresh(post)
    assert post.comment_count == 1
    (mention,) = db.exec(
        select(Notification).where(Notification.user_id == tenants.acme_admin.id)
    ).all()
    assert (
        mention.type == "feedback_mention"
        and mention.actor_label == tenants.acme_collab.display_name
    )
    moderation.reject(session=db, actor=staff, item_type="comment", item_id=str(comment.id))
    db.refresh(post)
    assert post.comment_count == 0


def test_toggle_publish(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme, "Visible")
    staff = board_actor(db, tenants.pm, tenants.acme)
    moderation.toggle_publish(session=db, actor=staff, key=post.key)
    assert _titles(db, tenants.acme_admin, tenants.acme) == []
    moderation.toggle_publish(session=db, actor=staff, key=post.key)
    assert _titles(db, tenants.acme_admin, tenants.acme) == ["Visible"]
    assert db.exec(select(ActivityLog).where(ActivityLog.object_id == post.id)).all()
    with pytest.raises(Forbidden):
        moderation.toggle_publish(
            session=db, actor=board_actor(db, tenants.acme_collab, tenants.acme), key=post.key
        )
    assert posts  # the module stays the one that creates them
    assert db.get(FeedbackPost, post.id).is_published
