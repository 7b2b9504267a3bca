"""Reference 002's anonymous votes are on "a post or comment": ``/posts/{key}/anonymous_votes/
{anonymous_id}`` with a comment's id as the key votes for that comment, once per anonymous id,
counted in the comment's ``votes_count``; another tenant's comment is a 404."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_envelope, bearer
from tests.factories.feedback import make_comment, make_post

ANON = "0cc175b9c0f1b6a831c399e269772661"


@pytest.fixture
def keys(make_key, tenants):
    return {"acme": bearer(make_key(tenants.acme)), "globex": bearer(make_key(tenants.globex))}


def _votes(client, keys, post) -> int:
    listed = client.get(f"/api/v1/posts/{post.key}/comments", headers=keys["acme"])
    return listed.get_json()["data"][0]["votes_count"]


def test_anonymous_votes_on_a_comment(client, db, tenants, keys) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    comment = make_comment(db, tenants.acme_collab, tenants.acme, post, "Yes please")
    url = f"/api/v1/posts/{comment.id}/anonymous_votes/{ANON}"
    first = client.post(url, headers=keys["acme"])
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["data"]["voter"] is None
    again = assert_envelope(client.post(url, headers=keys["acme"]), 422)
    assert again["message"] == "Anonymous user has already voted for this item."
    other = client.post(
        f"/api/v1/posts/{comment.id}/anonymous_votes/another-id", headers=keys["acme"]
    )
    assert other.status_code == 200
    assert _votes(client, keys, post) == 2
    db.refresh(post)
    assert post.vote_count == 0  # the post's own votes are untouched
    assert client.delete(url, headers=keys["acme"]).get_json() == {}
    gone = assert_envelope(client.delete(url, headers=keys["acme"]), 422)
    assert gone["message"] == "Anonymous user has not voted yet."
    assert _votes(client, keys, post) == 1
    bad_id = client.post(
        f"/api/v1/posts/{comment.id}/anonymous_votes/no%20spaces", headers=keys["acme"]
    )
    assert "anonymous_id" in assert_envelope(bad_id, 422)["errors"]


def test_another_tenants_comment_is_404(client, db, tenants, keys) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    comment = make_comment(db, tenants.acme_collab, tenants.acme, post, "Acme only")
    url = f"/api/v1/posts/{comment.id}/anonymous_votes/{ANON}"
    assert_envelope(client.post(url, headers=keys["globex"]), 404)
    assert_envelope(client.delete(url, headers=keys["globex"]), 404)
    assert_envelope(
        client.post(f"/api/v1/posts/987654321/anonymous_votes/{ANON}", headers=keys["acme"]), 404
    )
    assert _votes(client, keys, post) == 0
