"""Comment upvotes: one per person per comment, toggled from the idea's page, shown beside the
comment and in the API's comments (``votes_count``)."""

from __future__ import annotations

import re

import pytest

from portal.models import FeedbackComment
from services.accounts.tokens import create_api_key
from services.feedback.comment_votes import toggle_comment_vote
from tests.api.conftest import bearer
from tests.factories.feedback import board_actor, make_comment, make_post


@pytest.fixture
def thread(db, tenants):
    post = make_post(db, tenants.acme_collab, tenants.acme, "PDF export")
    comment = make_comment(db, tenants.acme_admin, tenants.acme, post, "Yes please")
    return post, comment


def _count(db, comment) -> int:
    db.expire_all()
    found = db.get(FeedbackComment, comment.id)
    return found.vote_count


def _spoken(page: str, name: str) -> bool:
    """Whether a comment's vote button reads ``name`` (its text, the visible count included)."""
    for button in re.findall(r'<button class="fb-comment-vote-btn.*?</button>', page, re.S):
        if " ".join(re.sub(r"<[^>]+>", "", button).split()) == name:
            return True
    return False


def test_upvote_toggles_and_counts_once(client, login, db, tenants, thread) -> None:
    post, comment = thread
    base = f"/p/acme-test/feedback/{post.key}/comments/{comment.id}"
    login(tenants.acme_viewer)
    page = client.get(f"/p/acme-test/feedback/{post.key}").get_data(as_text=True)
    assert f'action="{base}/vote"' in page and _spoken(page, "Upvote this comment: 0 upvotes")
    assert client.post(f"{base}/vote").status_code == 303
    assert client.post(f"{base}/vote").status_code == 303  # a double click is not a 2nd vote
    assert _count(db, comment) == 1
    page = client.get(f"/p/acme-test/feedback/{post.key}").get_data(as_text=True)
    assert _spoken(page, "Remove your upvote: 1 upvote") and f'action="{base}/unvote"' in page
    login(tenants.acme_collab)
    client.post(f"{base}/vote", headers={"HX-Request": "true"})
    assert _count(db, comment) == 2
    login(tenants.acme_viewer)
    assert client.post(f"{base}/unvote").status_code == 303
    assert client.post(f"{base}/unvote").status_code == 303
    assert _count(db, comment) == 1


def test_the_api_gives_the_count(client, db, tenants, thread) -> None:
    post, comment = thread
    _, secret = create_api_key(db, name="comment votes", company_id=tenants.acme.id)
    key = bearer(secret)
    toggle_comment_vote(
        session=db,
        actor=board_actor(db, tenants.acme_viewer, tenants.acme),
        key=post.key,
        comment_id=comment.id,
        on=True,
    )
    db.commit()
    data = client.get(f"/api/v1/posts/{post.key}/comments", headers=key).get_json()
    assert [c["votes_count"] for c in data["data"]] == [1]


def test_who_may_not_upvote(client, login, db, tenants, thread) -> None:
    post, comment = thread
    base = f"/p/acme-test/feedback/{post.key}/comments/{comment.id}"
    login(tenants.pm)
    client.post("/p/acme-test/feedback/settings", data={"vote_role": "collaborator"})
    login(tenants.acme_viewer)
    assert client.post(f"{base}/vote").status_code == 403
    page = client.get(f"/p/acme-test/feedback/{post.key}").get_data(as_text=True)
    assert f'action="{base}/vote"' not in page
    other = make_post(db, tenants.acme_collab, tenants.acme, "Other idea")
    login(tenants.acme_collab)
    # the comment through another idea's address is not found
    wrong = f"/p/acme-test/feedback/{other.key}/comments/{comment.id}/vote"
    assert client.post(wrong).status_code == 404
    login(tenants.globex_admin)
    assert client.post(f"{base}/vote").status_code == 404
    assert _count(db, comment) == 0
