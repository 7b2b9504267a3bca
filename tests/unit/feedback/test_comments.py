"""Comments on ideas: threads, who may change them, mentions and the counter."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.errors import Forbidden, Invalid, NotFound
from portal.models import FeedbackComment, FeedbackPost, Notification
from portal.models.feedback import CommentCreate, CommentUpdate, PostUpdate
from services.feedback import comments, posts
from services.feedback.board import post_detail
from tests.factories.deliverables import portal_of
from tests.factories.feedback import board_actor, make_comment, make_post


def _notes(db, user) -> list[Notification]:
    return list(db.exec(select(Notification).where(Notification.user_id == user.id)).all())


def test_replies_thread_under_their_comment(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    first = make_comment(db, tenants.acme_admin, tenants.acme, post, "First")
    reply = make_comment(db, tenants.pm, tenants.acme, post, "Reply", parent_id=first.id)
    deeper = make_comment(db, tenants.acme_collab, tenants.acme, post, "Deeper", parent_id=reply.id)
    assert reply.parent_id == first.id and deeper.parent_id == first.id  # one level
    pinned = make_comment(db, tenants.pm, tenants.acme, post, "Pinned", pinned_to_top=True)
    detail = post_detail(
        session=db,
        actor=board_actor(db, tenants.acme_viewer, tenants.acme),
        portal=portal_of(db, tenants.acme),
        key=post.key,
    )
    assert [t.comment.body for t in detail.comments] == ["Pinned", "First"]
    assert [r.comment.body for r in detail.comments[1].replies] == ["Reply", "Deeper"]
    db.refresh(post)
    assert post.comment_count == 4
    other = make_post(db, tenants.acme_collab, tenants.acme, "Other idea")
    with pytest.raises(Invalid):
        make_comment(db, tenants.acme_collab, tenants.acme, other, "x", parent_id=pinned.id)


def test_author_or_agency_edit_and_delete(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    mine = make_comment(db, tenants.acme_collab, tenants.acme, post, "Mine")
    make_comment(db, tenants.acme_admin, tenants.acme, post, "A reply", parent_id=mine.id)
    admin = board_actor(db, tenants.acme_admin, tenants.acme)
    with pytest.raises(Forbidden):
        comments.update_comment(
            session=db, actor=admin, comment_id=mine.id, data=CommentUpdate(comment="Theirs now")
        )
    author = board_actor(db, tenants.acme_collab, tenants.acme)
    edited = comments.update_comment(
        session=db, actor=author, comment_id=mine.id, data=CommentUpdate(comment="Mine, edited")
    )
    assert edited.updated_at is not None
    with pytest.raises(Forbidden):  # pinning is the agency's
        comments.set_pinned(session=db, actor=author, comment_id=mine.id, pinned=True)
    staff = board_actor(db, tenants.pm, tenants.acme)
    comments.set_pinned(session=db, actor=staff, comment_id=mine.id, pinned=True)
    comments.delete_comment(session=db, actor=staff, comment_id=mine.id)
    assert db.exec(select(FeedbackComment).where(FeedbackComment.post_id == post.id)).all() == []
    assert db.exec(select(FeedbackPost.comment_count).where(FeedbackPost.id == post.id)).one() == 0


def test_mentions_and_the_authors_notification(db, tenants) -> None:
    tenants.acme_admin.name = "Olivia Owner"
    db.add(tenants.acme_admin)
    post = make_post(db, tenants.acme_collab, tenants.acme, "PDF export")
    make_comment(db, tenants.pm, tenants.acme, post, "Asking @Olivia for the budget")
    (mention,) = _notes(db, tenants.acme_admin)
    assert mention.type == "feedback_mention" and "PDF export" in mention.title
    assert f"/p/acme-test/feedback/{post.key}#comment-" in mention.url
    (comment_note,) = _notes(db, tenants.acme_collab)
    assert comment_note.type == "feedback_comment"
    # an edit notifies only the newly mentioned
    c = make_comment(db, tenants.acme_collab, tenants.acme, post, "no mention")
    comments.update_comment(
        session=db,
        actor=board_actor(db, tenants.acme_collab, tenants.acme),
        comment_id=c.id,
        data=CommentUpdate(comment="now @Olivia and @Olivia"),
    )
    assert len(_notes(db, tenants.acme_admin)) == 2
    assert not any(n.type == "feedback_mention" for n in _notes(db, tenants.globex_admin))


def test_closed_comments_and_viewers(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    post.allow_comments = False
    db.add(post)
    db.flush()
    with pytest.raises(Invalid, match="closed"):
        make_comment(db, tenants.acme_collab, tenants.acme, post, "Hello?")
    make_comment(db, tenants.pm, tenants.acme, post, "Staff can still answer")
    with pytest.raises(Forbidden):
        make_comment(db, tenants.acme_viewer, tenants.acme, post, "Viewer")


def test_comments_on_drafts_and_foreign_boards_are_hidden(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    c = make_comment(db, tenants.acme_collab, tenants.acme, post, "Hidden soon")
    posts.update_post(
        session=db,
        actor=board_actor(db, tenants.pm, tenants.acme),
        key=post.key,
        data=PostUpdate(is_published=False),
    )
    with pytest.raises(NotFound):
        comments.get_comment(
            session=db, actor=board_actor(db, tenants.acme_collab, tenants.acme), comment_id=c.id
        )
    with pytest.raises(NotFound):
        comments.create_comment(
            session=db,
            actor=board_actor(db, tenants.globex_admin, tenants.globex),
            key=post.key,
            data=CommentCreate(comment="hi"),
        )
