"""The Feedback API in reference 002's shapes, status codes and validation messages."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import FeedbackPost
from tests.api.conftest import assert_envelope, bearer, portal_of
from tests.factories.feedback import make_category, make_comment, make_post


@pytest.fixture
def keys(make_key, tenants):
    return {
        "acme": bearer(make_key(tenants.acme)),
        "globex": bearer(make_key(tenants.globex)),
        "agency": bearer(make_key()),
        "read_only": bearer(make_key(tenants.acme, scopes=["feedback:read"])),
    }


def test_posts_crud_in_002_shapes(client, db, tenants, keys) -> None:
    reporting = make_category(db, tenants.staff_admin, tenants.acme, "Reporting")
    resp = client.post(
        "/api/v1/posts",
        json={
            "title": "Photo upload",
            "description": "It would be **great**.",
            "category_id": reporting.id,
            "user_id": tenants.acme_collab.id,
        },
        headers=keys["acme"],
    )
    assert resp.status_code == 200, resp.get_json()
    post = resp.get_json()["data"]
    assert post["title"] == "Photo upload" and isinstance(post["id"], str) and len(post["id"]) == 6
    assert post["votes_count"] == 0 and post["comments_count"] == 0
    assert post["description_short"] == "It would be great."
    assert post["categories"] == [{"id": reporting.id, "name": "Reporting", "color": "#ABDEE6"}]
    assert post["status"]["name"] == "Under review" and post["status"]["tab_name"] == "Wish list"
    assert post["author"]["id"] == str(tenants.acme_collab.id)
    assert post["url"].endswith(f"/p/acme-test/feedback/{post['id']}")
    assert post["portal_id"] == portal_of(db, tenants.acme).id
    key = post["id"]

    assert client.get(f"/api/v1/posts/{key}", headers=keys["acme"]).get_json()["data"]["id"] == key
    listing = client.get("/api/v1/posts?limit=1&skip=0", headers=keys["acme"]).get_json()
    assert listing["total"] == 1 and listing["hasMore"] is False and listing["limit"] == 1
    assert listing["skip"] == 0 and listing["data"][0]["id"] == key

    done = next(
        s["id"]
        for s in client.get("/api/v1/statuses", headers=keys["agency"]).get_json()["data"]
        if s["name"] == "Done"
    )
    patched = client.patch(
        f"/api/v1/posts/{key}", json={"status": done, "tags": ["crm"]}, headers=keys["agency"]
    )
    assert patched.status_code == 200
    assert patched.get_json()["data"]["status"]["name"] == "Done"
    assert patched.get_json()["data"]["tags"] == ["crm"]
    roadmap = client.get("/api/v1/posts?tab=changelog", headers=keys["acme"]).get_json()
    assert [p["id"] for p in roadmap["data"]] == [key]
    assert client.get("/api/v1/posts?tab=roadmap", headers=keys["acme"]).get_json()["total"] == 0

    assert_envelope(client.post("/api/v1/posts", json={"title": "x"}, headers=keys["acme"]), 422)
    body = client.post("/api/v1/posts", json={"title": "x"}, headers=keys["acme"]).get_json()
    assert body["errors"]["title"] == ["The title must be at least 2 characters."]
    no_board = client.post("/api/v1/posts", json={"title": "Agency idea"}, headers=keys["agency"])
    assert assert_envelope(no_board, 422)["errors"]["portal_id"]
    on_board = client.post(
        "/api/v1/posts",
        json={"title": "Agency idea", "portal_id": portal_of(db, tenants.acme).id},
        headers=keys["agency"],
    )
    assert on_board.status_code == 200

    refused = client.delete(f"/api/v1/posts/{key}", headers=keys["acme"])  # not its author
    assert_envelope(refused, 403)
    assert client.delete(f"/api/v1/posts/{key}", headers=keys["agency"]).get_json() == {}
    assert_envelope(client.get(f"/api/v1/posts/{key}", headers=keys["acme"]), 404)


def test_list_paging_and_order(client, db, tenants, keys) -> None:
    for i in range(3):
        make_post(db, tenants.acme_collab, tenants.acme, f"Idea {i}")
    first = client.get(
        "/api/v1/posts?limit=2&order_by=title&order_direction=asc", headers=keys["acme"]
    ).get_json()
    assert [p["title"] for p in first["data"]] == ["Idea 0", "Idea 1"]
    assert first["hasMore"] is True and first["total"] == 3
    second = client.get(
        "/api/v1/posts?limit=2&skip=2&order_by=title&order_direction=asc", headers=keys["acme"]
    ).get_json()
    assert [p["title"] for p in second["data"]] == ["Idea 2"] and second["hasMore"] is False
    assert_envelope(client.get("/api/v1/posts?limit=101", headers=keys["acme"]), 422)
    assert_envelope(client.get("/api/v1/posts?order_by=moscow", headers=keys["acme"]), 422)


def test_votes_once_per_user_and_revoke(client, db, tenants, keys) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    url = f"/api/v1/posts/{post.key}/votes/{tenants.acme_viewer.id}"
    first = client.post(url, headers=keys["acme"])
    assert first.status_code == 200
    assert first.get_json()["data"]["voter"]["id"] == str(tenants.acme_viewer.id)
    again = assert_envelope(client.post(url, headers=keys["acme"]), 422, "already_voted")
    assert again["message"] == "User has already voted for this post."
    listed = client.get(f"/api/v1/posts/{post.key}/votes", headers=keys["acme"]).get_json()
    assert [v["voter"]["id"] for v in listed["data"]] == [str(tenants.acme_viewer.id)]
    assert client.delete(url, headers=keys["acme"]).get_json() == {}
    gone = assert_envelope(client.delete(url, headers=keys["acme"]), 422)
    assert gone["message"] == "User has not voted yet."
    assert_envelope(
        client.post(
            f"/api/v1/posts/{post.key}/votes/{tenants.globex_admin.id}", headers=keys["acme"]
        ),
        404,
    )


def test_anonymous_votes(client, db, tenants, keys) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    url = f"/api/v1/posts/{post.key}/anonymous_votes/0cc175b9c0f1b6a831c399e269772661"
    first = client.post(url, headers=keys["acme"])
    assert first.status_code == 200 and first.get_json()["data"]["voter"] is None
    again = assert_envelope(client.post(url, headers=keys["acme"]), 422)
    assert again["message"] == "Anonymous user has already voted for this item."
    assert client.delete(url, headers=keys["acme"]).status_code == 200
    gone = assert_envelope(client.delete(url, headers=keys["acme"]), 422)
    assert gone["message"] == "Anonymous user has not voted yet."
    db.refresh(post)
    assert post.vote_count == 0


def test_comments(client, db, tenants, keys) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    missing = assert_envelope(
        client.post(f"/api/v1/posts/{post.key}/comments", json={}, headers=keys["agency"]), 422
    )
    assert "comment" in missing["errors"]
    made = client.post(
        f"/api/v1/posts/{post.key}/comments",
        json={"comment": "This is a must-have!", "pin_to_top": True},
        headers=keys["agency"],
    )
    assert made.status_code == 200, made.get_json()
    comment = made.get_json()["data"]
    assert comment["pinned_to_top"] is True and comment["parent_id"] is None
    assert comment["url"].endswith(f"/feedback/{post.key}#comment-{comment['id']}")
    reply = client.post(
        f"/api/v1/posts/{post.key}/comments",
        json={"comment": "Agreed", "parent_id": comment["id"]},
        headers=keys["acme"],
    ).get_json()["data"]
    assert reply["parent_id"] == comment["id"]
    listed = client.get(f"/api/v1/posts/{post.key}/comments", headers=keys["acme"]).get_json()
    assert [c["comment"] for c in listed["data"]] == ["This is a must-have!", "Agreed"]
    # the company key is not the agency's comment's author
    assert_envelope(
        client.put(
            f"/api/v1/comments/{comment['id']}", json={"comment": "x"}, headers=keys["acme"]
        ),
        403,
    )
    edited = client.put(
        f"/api/v1/comments/{comment['id']}", json={"comment": "Edited"}, headers=keys["agency"]
    )
    assert edited.get_json()["data"]["comment"] == "Edited"
    assert (
        client.delete(f"/api/v1/comments/{comment['id']}", headers=keys["agency"]).get_json() == {}
    )
    db.refresh(post)
    assert post.comment_count == 0  # the reply went with it


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": "x", "color": "#FF5733"}, {"name": ["The name must be at least 2 characters."]}),
        ({"name": "x" * 61}, {"name": ["The name may not be greater than 60 characters."]}),
        (
            {"name": "Bug", "color": "#80Bf7b$/m"},
            {
                "color": [
                    "The color format is invalid. It should be a valid hex color code "
                    "(e.g., #FF5733)."
                ]
            },
        ),
        ({"name": "reporting"}, {"name": ["The name has already been taken."]}),
    ],
)
def test_category_validation(client, db, tenants, keys, body, errors) -> None:
    make_category(db, tenants.staff_admin, tenants.acme, "Reporting")
    resp = client.post("/api/v1/categories", json=body, headers=keys["acme"])
    assert assert_envelope(resp, 422)["errors"] == errors


def test_categories_crud(client, db, tenants, keys) -> None:
    made = client.post(
        "/api/v1/categories", json={"name": "Bug", "color": "#abdee6"}, headers=keys["acme"]
    ).get_json()["data"]
    assert made["name"] == "Bug" and made["color"] == "#ABDEE6"
    other = client.post("/api/v1/categories", json={"name": "Idea"}, headers=keys["acme"])
    taken = client.patch(
        f"/api/v1/categories/{other.get_json()['data']['id']}",
        json={"name": "bug"},
        headers=keys["acme"],
    )
    assert assert_envelope(taken, 422)["errors"] == {"name": ["The name has already been taken."]}
    listed = client.get("/api/v1/categories", headers=keys["acme"]).get_json()["data"]
    assert [c["name"] for c in listed] == ["Bug", "Idea"]
    assert client.get("/api/v1/categories", headers=keys["globex"]).get_json()["data"] == []
    gone = client.delete(f"/api/v1/categories/{made['id']}", headers=keys["acme"])
    assert gone.get_json() == {"message": "Category deleted successfully"}


def test_statuses_and_tags_are_the_agencys(client, db, tenants, keys) -> None:
    statuses = client.get("/api/v1/statuses", headers=keys["acme"]).get_json()["data"]
    assert [s["name"] for s in statuses][:2] == ["Under review", "Planned"]
    assert set(statuses[0]) == {"id", "name", "color", "order", "tab_id", "tab_name", "text_color"}
    assert_envelope(
        client.post("/api/v1/statuses", json={"name": "Soon"}, headers=keys["acme"]), 403
    )
    made = client.post(
        "/api/v1/statuses",
        json={"name": "Soon", "color": "#FFCCB6", "tab": "roadmap"},
        headers=keys["agency"],
    )
    assert made.status_code == 200 and made.get_json()["data"]["tab_name"] == "Roadmap"
    dup = client.post("/api/v1/statuses", json={"name": "soon"}, headers=keys["agency"])
    assert assert_envelope(dup, 422)["errors"] == {"name": ["The name has already been taken."]}

    assert_envelope(client.get("/api/v1/tags", headers=keys["acme"]), 403)
    portal_id = portal_of(db, tenants.acme).id
    tag = client.post(
        "/api/v1/tags", json={"tag": "editor", "portal_id": portal_id}, headers=keys["agency"]
    )
    assert tag.status_code == 200 and tag.get_json()["data"]["portal_id"] == portal_id
    dup_tag = client.post(
        "/api/v1/tags", json={"tag": "Editor", "portal_id": portal_id}, headers=keys["agency"]
    )
    assert assert_envelope(dup_tag, 422)["errors"] == {"tag": ["The tag has already been taken."]}
    assert [
        t["tag"] for t in client.get("/api/v1/tags", headers=keys["agency"]).get_json()["data"]
    ] == ["editor"]


def test_scopes_and_tenants(client, db, tenants, keys) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    comment = make_comment(db, tenants.acme_collab, tenants.acme, post, "Acme only")
    assert client.get("/api/v1/posts", headers=keys["read_only"]).status_code == 200
    assert_envelope(
        client.post(f"/api/v1/posts/{post.key}/anonymous_votes/abc", headers=keys["read_only"]),
        403,
        "insufficient_scope",
    )
    for method, path in [
        ("get", f"/api/v1/posts/{post.key}"),
        ("get", f"/api/v1/posts/{post.key}/votes"),
        ("post", f"/api/v1/posts/{post.key}/anonymous_votes/abc"),
        ("post", f"/api/v1/posts/{post.key}/comments"),
        ("put", f"/api/v1/comments/{comment.id}"),
        ("delete", f"/api/v1/comments/{comment.id}"),
    ]:
        assert_envelope(getattr(client, method)(path, json={}, headers=keys["globex"]), 404)
    assert client.get("/api/v1/posts", headers=keys["globex"]).get_json()["total"] == 0
    assert db.exec(select(FeedbackPost).where(FeedbackPost.id == post.id)).one().vote_count == 0


def test_search_duplicates(client, db, tenants, keys) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme, "Open links in new window")
    found = client.get("/api/v1/posts/search_duplicates?title=open+link", headers=keys["acme"])
    assert found.get_json() == {
        "count": 1,
        "posts": [{"id": post.key, "title": "Open links in new window", "description": ""}],
    }
    other = client.get("/api/v1/posts/search_duplicates?title=open+link", headers=keys["globex"])
    assert other.get_json() == {"count": 0, "posts": []}
    assert_envelope(client.get("/api/v1/posts/search_duplicates", headers=keys["acme"]), 422)


def test_moderation_and_toggle_publish(client, db, tenants, keys) -> None:
    portal = portal_of(db, tenants.acme)
    portal.feedback_moderation = True
    db.add(portal)
    db.flush()
    made = client.post("/api/v1/posts", json={"title": "Please approve"}, headers=keys["acme"])
    post = made.get_json()["data"]
    assert post["moderation_status"] == "pending"
    assert_envelope(client.get("/api/v1/moderation/pending", headers=keys["acme"]), 403)
    pending = client.get("/api/v1/moderation/pending", headers=keys["agency"]).get_json()["data"]
    assert [p["id"] for p in pending["posts"]] == [post["id"]] and pending["comments"] == []
    rejected = client.post(
        f"/api/v1/moderation/reject/post/{post['id']}",
        json={"reason": "Duplicate"},
        headers=keys["agency"],
    )
    assert rejected.get_json()["data"]["moderation_status"] == "rejected"
    listed = client.get("/api/v1/moderation/rejected", headers=keys["agency"]).get_json()["data"]
    assert listed["posts"][0]["moderation_reason"] == "Duplicate"
    approved = client.post(f"/api/v1/moderation/approve/post/{post['id']}", headers=keys["agency"])
    assert approved.get_json()["data"]["moderation_status"] == "approved"
    assert_envelope(client.post("/api/v1/moderation/approve/widget/x", headers=keys["agency"]), 404)
    hidden = client.post(f"/api/v1/posts/{post['id']}/toggle-publish", headers=keys["agency"])
    assert hidden.get_json()["data"]["is_published"] is False
    assert_envelope(client.get(f"/api/v1/posts/{post['id']}", headers=keys["acme"]), 404)
    assert_envelope(
        client.post(f"/api/v1/moderation/approve/post/{post['id']}", headers=keys["globex"]), 404
    )
    shown = client.put(f"/api/v1/posts/{post['id']}/toggle-publish", headers=keys["agency"])
    assert shown.get_json()["data"]["is_published"] is True  # reference 002's PUT, same toggle


def test_voters_are_users_of_the_one_users_resource(client, db, tenants, keys) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    url = f"/api/v1/posts/{post.key}/votes/{tenants.acme_viewer.id}"
    voter = client.post(url, headers=keys["acme"]).get_json()["data"]["voter"]
    same = client.get(f"/api/v1/users/{tenants.acme_viewer.id}", headers=keys["acme"])
    assert voter == same.get_json()["data"]
    assert voter["counter_votes"] == 1 and voter["company"] == tenants.acme.name
    listed = client.get(f"/api/v1/posts/{post.key}/votes", headers=keys["acme"]).get_json()
    assert listed["data"][0]["voter"] == voter
