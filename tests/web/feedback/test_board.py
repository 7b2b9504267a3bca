"""The Feedback tab in the browser's terms: pages both ways, posting ideas, the query bound."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import FeedbackPost
from tests.conftest import assert_both_ways
from tests.factories.feedback import make_category, make_comment, make_post, status_id

MAX_QUERIES = 12


@pytest.fixture
def board(db, tenants):
    staff = tenants.pm
    reporting = make_category(db, staff, tenants.acme, "Reporting", "#7AA2F7")
    ideas = [
        make_post(db, tenants.acme_collab, tenants.acme, "PDF export", category_ids=[reporting.id]),
        make_post(
            db, tenants.acme_admin, tenants.acme, "HubSpot sync", status="Planned", staff=staff
        ),
        make_post(
            db, tenants.acme_admin, tenants.acme, "Calendar feed", status="Done", staff=staff
        ),
    ]
    make_comment(db, staff, tenants.acme, ideas[2], "Shipped in **v2**", tagged_for_changelog=True)
    return ideas


@pytest.mark.parametrize("path", ["", "/roadmap", "/changelog", "?sort=top&q=pdf", "?status=1"])
def test_pages_render_both_ways(client, login, tenants, board, path) -> None:
    login(tenants.acme_viewer)
    full, part = assert_both_ways(client, f"/p/acme-test/feedback{path}")
    assert "Feedback" in full or "Roadmap" in full or "Changelog" in full


def test_board_lists_ideas_with_their_parts(client, login, tenants, board) -> None:
    login(tenants.acme_collab)
    html = client.get("/p/acme-test/feedback").get_data(as_text=True)
    assert "PDF export" in html and "HubSpot sync" in html and "Reporting" in html
    assert "+ New idea" in html and "Board settings" not in html
    assert f'href="/p/acme-test/feedback/{board[0].key}"' in html
    roadmap = client.get("/p/acme-test/feedback/roadmap").get_data(as_text=True)
    assert "HubSpot sync" in roadmap and "PDF export" not in roadmap
    changelog = client.get("/p/acme-test/feedback/changelog").get_data(as_text=True)
    assert "Calendar feed" in changelog and "<strong>v2</strong>" in changelog


def test_search_while_typing_swaps_only_the_results(client, login, tenants, board) -> None:
    login(tenants.acme_collab)
    resp = client.get("/p/acme-test/feedback?q=hub&results=1", headers={"HX-Request": "true"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "HubSpot sync" in html and "PDF export" not in html
    assert "page-head" not in html and "New idea" not in html


def test_detail_page_shows_the_idea_and_comments(client, login, tenants, board) -> None:
    login(tenants.acme_viewer)
    full, part = assert_both_ways(client, f"/p/acme-test/feedback/{board[2].key}")
    assert "Calendar feed" in full and "Shipped in <strong>v2</strong>" in full
    assert "Add a comment" not in full  # viewers read and vote, but do not comment


def test_posting_an_idea(client, login, db, tenants, board) -> None:
    login(tenants.acme_collab)
    bad = client.post("/p/acme-test/feedback", data={"title": "x"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert "The title must be at least 2 characters." in bad.get_data(as_text=True)
    ok = client.post(
        "/p/acme-test/feedback",
        data={"title": "Slack alerts", "description": "<script>x</script> *please*"},
    )
    assert ok.status_code == 303
    post = db.exec(select(FeedbackPost).where(FeedbackPost.title == "Slack alerts")).one()
    assert ok.headers["Location"].endswith(f"/feedback/{post.key}")
    page = client.get(f"/p/acme-test/feedback/{post.key}").get_data(as_text=True)
    assert "<script>x</script>" not in page and "<em>please</em>" in page


def test_viewers_cannot_post_ideas(client, login, tenants, board) -> None:
    login(tenants.acme_viewer)
    assert client.post("/p/acme-test/feedback", data={"title": "Viewer idea"}).status_code == 403


def test_staff_move_an_idea_and_set_who_votes(client, login, db, tenants, board) -> None:
    login(tenants.pm)
    key = board[0].key
    resp = client.post(
        f"/p/acme-test/feedback/{key}",
        data={
            "title": "PDF export",
            "status_id": status_id(db, "In progress"),
            "tags": "crm, q3",
            "_boxes": "is_published",
            "is_published": "on",
            "category_ids": "",
        },
    )
    assert resp.status_code == 303
    db.refresh(board[0])
    assert board[0].status_id == status_id(db, "In progress")
    assert (
        client.post(
            "/p/acme-test/feedback/settings", data={"vote_role": "collaborator"}
        ).status_code
        == 303
    )
    login(tenants.acme_admin)
    assert (
        client.post("/p/acme-test/feedback/settings", data={"vote_role": "viewer"}).status_code
        == 403
    )


def test_board_query_count_does_not_grow(client, login, db, tenants, count_queries, board) -> None:
    """3 ideas or 30 (each with categories, tags and votes): the same number of queries."""
    reporting_id = board[0].id and make_category(db, tenants.pm, tenants.acme, "Design").id

    def counted(user) -> int:
        login(user)
        client.get("/p/acme-test/feedback")
        with count_queries() as q:
            assert client.get("/p/acme-test/feedback").status_code == 200
        return q.count

    few = {u: counted(getattr(tenants, u)) for u in ("acme_viewer", "pm")}
    for i in range(27):
        make_post(
            db,
            tenants.acme_collab,
            tenants.acme,
            f"Idea {i}",
            category_ids=[reporting_id],
            tags=["x1"],
        )
    many = {u: counted(getattr(tenants, u)) for u in ("acme_viewer", "pm")}
    assert few == many and max(many.values()) <= MAX_QUERIES, (few, many)


def test_voting_from_the_board(client, login, db, tenants, board) -> None:
    """A viewer votes (the portal allows it): HTMX swaps the button; a second vote is a 422."""
    login(tenants.acme_viewer)
    key = board[0].key
    hx = {"HX-Request": "true"}
    first = client.post(f"/p/acme-test/feedback/{key}/vote", headers=hx)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and 'aria-pressed="true"' in html and "<html" not in html
    again = client.post(f"/p/acme-test/feedback/{key}/vote", headers=hx)
    assert again.status_code == 422 and "User has already voted for this post." in again.get_data(
        as_text=True
    )
    db.refresh(board[0])
    assert board[0].vote_count == 1
    back = client.post(f"/p/acme-test/feedback/{key}/unvote")
    assert back.status_code == 303
    db.refresh(board[0])
    assert board[0].vote_count == 0


def test_viewers_vote_only_where_the_portal_allows(client, login, db, tenants, board) -> None:
    login(tenants.pm)
    client.post("/p/acme-test/feedback/settings", data={"vote_role": "collaborator"})
    login(tenants.acme_viewer)
    page = client.get("/p/acme-test/feedback").get_data(as_text=True)
    assert "Only collaborators and admins vote on this board" in page
    refused = client.post(f"/p/acme-test/feedback/{board[0].key}/vote")
    assert refused.status_code == 403
    login(tenants.acme_collab)
    assert client.post(f"/p/acme-test/feedback/{board[0].key}/vote").status_code == 303


def test_no_votes_on_an_archived_portal(client, login, db, tenants, board) -> None:
    from portal.models import Portal

    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.status = "archived"
    db.add(portal)
    db.flush()
    login(tenants.acme_viewer)
    assert client.post(f"/p/acme-test/feedback/{board[0].key}/vote").status_code == 403


def test_commenting_from_the_idea_page(client, login, db, tenants, board) -> None:
    from portal.models import FeedbackComment

    login(tenants.acme_collab)
    key = board[0].key
    hx = {"HX-Request": "true"}
    empty = client.post(f"/p/acme-test/feedback/{key}/comments", data={"comment": ""}, headers=hx)
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422 and 'id="comments"' in html and "<html" not in html
    ok = client.post(f"/p/acme-test/feedback/{key}/comments", data={"comment": "Me too"})
    assert ok.status_code == 303 and "#comment-" in ok.headers["Location"]
    comment = db.exec(select(FeedbackComment).where(FeedbackComment.body == "Me too")).one()
    reply = client.post(
        f"/p/acme-test/feedback/{key}/comments",
        data={"comment": "Reply", "parent_id": comment.id},
        headers=hx,
    )
    assert reply.status_code == 204 and reply.headers["HX-Location"].count(
        f"/feedback/{key}#comment-{comment.id + 1}"
    )
    edit_page = client.get(f"/p/acme-test/feedback/{key}?edit_comment={comment.id}")
    assert 'name="comment"' in edit_page.get_data(as_text=True)
    edited = client.post(
        f"/p/acme-test/feedback/{key}/comments/{comment.id}", data={"comment": "Me too!"}
    )
    assert edited.status_code == 303
    login(tenants.acme_admin)  # not the author
    refused = client.post(f"/p/acme-test/feedback/{key}/comments/{comment.id}/delete")
    assert refused.status_code == 403
    login(tenants.pm)
    assert (
        client.post(
            f"/p/acme-test/feedback/{key}/comments/{comment.id}/pin", data={"pinned": "1"}
        ).status_code
        == 303
    )
    page = client.get(f"/p/acme-test/feedback/{key}").get_data(as_text=True)
    assert "Pinned" in page and "Me too!" in page
    assert (
        client.post(f"/p/acme-test/feedback/{key}/comments/{comment.id}/delete").status_code == 303
    )
    db.refresh(board[0])
    assert board[0].comment_count == 0
    # a comment id under another idea's key is not found
    other = board[1].key
    assert (
        client.post(f"/p/acme-test/feedback/{other}/comments/{comment.id}/delete").status_code
        == 404
    )


def test_idea_page_query_count_does_not_grow(
    client, login, db, tenants, count_queries, board
) -> None:
    key = board[0].key

    def counted() -> int:
        client.get(f"/p/acme-test/feedback/{key}")
        with count_queries() as q:
            assert client.get(f"/p/acme-test/feedback/{key}").status_code == 200
        return q.count

    login(tenants.pm)
    for i in range(3):
        make_comment(db, tenants.acme_collab, tenants.acme, board[0], f"Comment {i}")
    few = counted()
    for i in range(27):
        make_comment(db, tenants.acme_admin, tenants.acme, board[0], f"More {i}")
    assert few == counted() <= MAX_QUERIES


def test_agency_board_across_portals(client, login, db, tenants, count_queries, board) -> None:
    make_post(db, tenants.globex_admin, tenants.globex, "Globex idea")
    login(tenants.staff_admin)
    full, _ = assert_both_ways(client, "/admin/feedback/")
    assert "PDF export" in full and "Globex idea" in full
    assert f"/p/acme-test/feedback/{board[0].key}" in full
    login(tenants.pm)  # assigned to Acme only
    page = client.get("/admin/feedback/?sort=top").get_data(as_text=True)
    assert "PDF export" in page and "Globex idea" not in page
    login(tenants.acme_admin)
    assert client.get("/admin/feedback/").status_code == 404

    login(tenants.staff_admin)

    def counted() -> int:
        client.get("/admin/feedback/")
        with count_queries() as q:
            assert client.get("/admin/feedback/").status_code == 200
        return q.count

    few = counted()
    for i in range(27):
        make_post(db, tenants.globex_admin, tenants.globex, f"Globex {i}")
    assert few == counted() <= MAX_QUERIES


def test_similar_ideas_fragment(client, login, tenants, board) -> None:
    login(tenants.acme_collab)
    hx = {"HX-Request": "true"}
    found = client.get("/p/acme-test/feedback/similar?title=pdf+exp", headers=hx)
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and "PDF export" in html and "Similar ideas" in html
    assert "<html" not in html
    none = client.get("/p/acme-test/feedback/similar?title=zzzz", headers=hx)
    assert none.get_data(as_text=True).strip() == ""


def test_moderation_from_the_portal(client, login, db, tenants, board) -> None:
    login(tenants.pm)
    client.post(
        "/p/acme-test/feedback/settings",
        data={"vote_role": "viewer", "_boxes": "moderation", "moderation": "on"},
    )
    login(tenants.acme_collab)
    client.post("/p/acme-test/feedback", data={"title": "Needs a yes"})
    assert "Needs a yes" not in client.get("/p/acme-test/feedback").get_data(as_text=True)
    assert client.get("/p/acme-test/feedback/moderation").status_code == 403
    login(tenants.pm)
    full, _ = assert_both_ways(client, "/p/acme-test/feedback/moderation")
    assert "Needs a yes" in full and "Approve" in full
    post = db.exec(select(FeedbackPost).where(FeedbackPost.title == "Needs a yes")).one()
    resp = client.post(
        f"/p/acme-test/feedback/moderation/post/{post.key}/approve", headers={"HX-Request": "true"}
    )
    assert resp.status_code == 204 and "moderation" in resp.headers["HX-Location"]
    login(tenants.acme_collab)
    assert "Needs a yes" in client.get("/p/acme-test/feedback").get_data(as_text=True)
