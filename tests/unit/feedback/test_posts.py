"""Ideas through the services: who may post and change what, drafts, search, filters, sorts."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.errors import Forbidden, NotFound
from portal.models import ActivityLog, FeedbackPost, Notification
from portal.models.feedback import PostCreate, PostUpdate
from services.feedback import posts, votes
from services.feedback.board import board_view, changelog_view, roadmap_view
from services.feedback.listing import Filters
from tests.factories.deliverables import portal_of
from tests.factories.feedback import board_actor, make_category, make_post, status_id


def _titles(db, user, company, **filters) -> list[str]:
    view = board_view(
        session=db,
        actor=board_actor(db, user, company),
        portal=portal_of(db, company),
        filters=Filters(**filters),
        page=1,
    )
    return [r.post.title for r in view.rows]


def test_a_client_posts_an_idea_with_categories(db, tenants) -> None:
    reporting = make_category(db, tenants.staff_admin, tenants.acme, "Reporting")
    post = make_post(
        db,
        tenants.acme_collab,
        tenants.acme,
        "PDF export",
        description="**Monthly** please",
        category_ids=[reporting.id, 999_999],
        status_id=status_id(db, "Done"),  # a client cannot choose the status
        tags=["urgent"],  # nor tag
    )
    assert len(post.key) == 6 and post.is_published
    assert post.status_id == status_id(db, "Under review")
    view = board_view(
        session=db,
        actor=board_actor(db, tenants.acme_collab, tenants.acme),
        portal=portal_of(db, tenants.acme),
        filters=Filters(),
        page=1,
    )
    (row,) = view.rows
    assert [c.name for c in row.categories] == ["Reporting"]
    assert row.tags == [] and row.excerpt == "Monthly please"
    logged = db.exec(select(ActivityLog.action).where(ActivityLog.object_id == post.id)).all()
    assert "feedback_post_created" in logged


def test_viewers_read_but_do_not_post(db, tenants) -> None:
    with pytest.raises(Forbidden):
        make_post(db, tenants.acme_viewer, tenants.acme)


def test_search_filters_and_sorts(db, tenants) -> None:
    staff = tenants.staff_admin
    design = make_category(db, staff, tenants.acme, "Design")
    old = make_post(db, tenants.acme_collab, tenants.acme, "Dark mode", category_ids=[design.id])
    popular = make_post(
        db, tenants.acme_admin, tenants.acme, "Calendar feed", status="Planned", staff=staff
    )
    newest = make_post(db, tenants.acme_collab, tenants.acme, "100% faster_search")
    for user in (tenants.acme_admin, tenants.acme_viewer):
        votes.vote(session=db, actor=board_actor(db, user, tenants.acme), key=popular.key)
    u = tenants.acme_collab
    assert _titles(db, u, tenants.acme, sort="top")[0] == "Calendar feed"
    assert _titles(db, u, tenants.acme, sort="newest")[0] == newest.title
    assert _titles(db, u, tenants.acme)[0] == "Calendar feed"  # trending: recent votes
    assert _titles(db, u, tenants.acme, q="DARK") == ["Dark mode"]
    assert _titles(db, u, tenants.acme, q="100%") == [newest.title]  # LIKE wildcards are literal
    assert _titles(db, u, tenants.acme, q="fast_r") == []  # would match "faster" as a wildcard
    assert _titles(db, u, tenants.acme, category_id=design.id) == [old.title]
    assert _titles(db, u, tenants.acme, status_id=status_id(db, "Planned")) == ["Calendar feed"]


def test_tags_are_the_agencys(db, tenants) -> None:
    staff = board_actor(db, tenants.staff_admin, tenants.acme)
    post = make_post(db, tenants.acme_collab, tenants.acme, "Tagged idea")
    posts.update_post(
        session=db, actor=staff, key=post.key, data=PostUpdate(tags=["Urgent", "urgent", "crm"])
    )
    view = board_view(
        session=db, actor=staff, portal=portal_of(db, tenants.acme), filters=Filters(), page=1
    )
    assert view.rows.items[0].tags == ["crm", "Urgent"]
    tag_id = next(t.id for t in view.tags if t.tag == "crm")
    assert [
        r.post.title
        for r in board_view(
            session=db,
            actor=staff,
            portal=portal_of(db, tenants.acme),
            filters=Filters(tag_id=tag_id),
            page=1,
        ).rows
    ] == ["Tagged idea"]
    client = board_actor(db, tenants.acme_collab, tenants.acme)
    client_view = board_view(
        session=db, actor=client, portal=portal_of(db, tenants.acme), filters=Filters(), page=1
    )
    assert client_view.tags == [] and client_view.rows.items[0].tags == []


def test_authors_edit_text_the_agency_moves_and_publishes(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme, "First title")
    author = board_actor(db, tenants.acme_collab, tenants.acme)
    other = board_actor(db, tenants.acme_admin, tenants.acme)
    posts.update_post(session=db, actor=author, key=post.key, data=PostUpdate(title="Better title"))
    with pytest.raises(Forbidden):
        posts.update_post(session=db, actor=other, key=post.key, data=PostUpdate(title="Mine now"))
    with pytest.raises(Forbidden):
        posts.update_post(
            session=db, actor=author, key=post.key, data=PostUpdate(status_id=status_id(db, "Done"))
        )
    staff = board_actor(db, tenants.pm, tenants.acme)
    posts.update_post(
        session=db, actor=staff, key=post.key, data=PostUpdate(status_id=status_id(db, "Planned"))
    )
    db.refresh(post)
    assert post.title == "Better title" and post.status_id == status_id(db, "Planned")
    note = db.exec(select(Notification).where(Notification.user_id == tenants.acme_collab.id)).one()
    assert note.type == "feedback_status" and "Planned" in note.title
    assert note.url.endswith(f"/feedback/{post.key}")


def test_drafts_are_hidden_from_clients(db, tenants) -> None:
    staff = board_actor(db, tenants.staff_admin, tenants.acme)
    draft = posts.create_post(
        session=db,
        actor=staff,
        company_id=tenants.acme.id,
        data=PostCreate(title="Secret plan", is_published=False),
    )
    assert _titles(db, tenants.staff_admin, tenants.acme) == ["Secret plan"]
    assert _titles(db, tenants.acme_admin, tenants.acme) == []
    with pytest.raises(NotFound):
        posts.update_post(
            session=db,
            actor=board_actor(db, tenants.acme_admin, tenants.acme),
            key=draft.key,
            data=PostUpdate(title="x1"),
        )


def test_other_tenants_never_see_a_board(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    globex = board_actor(db, tenants.globex_admin, tenants.globex)
    assert _titles(db, tenants.globex_admin, tenants.globex) == []
    with pytest.raises(NotFound):
        posts.delete_post(session=db, actor=globex, key=post.key)
    with pytest.raises(NotFound):  # and no posting onto someone else's board
        posts.create_post(
            session=db, actor=globex, company_id=tenants.acme.id, data=PostCreate(title="Sneaky")
        )


def test_roadmap_and_changelog(db, tenants) -> None:
    staff = tenants.pm
    make_post(db, tenants.acme_collab, tenants.acme, "Wish", staff=staff)
    make_post(db, tenants.acme_collab, tenants.acme, "Soon", status="Planned", staff=staff)
    make_post(db, tenants.acme_collab, tenants.acme, "Building", status="In progress", staff=staff)
    make_post(db, tenants.acme_collab, tenants.acme, "Shipped", status="Done", staff=staff)
    actor = board_actor(db, tenants.acme_viewer, tenants.acme)
    roadmap = roadmap_view(session=db, actor=actor, portal=portal_of(db, tenants.acme))
    assert {c.status.name: [r.post.title for r in c.rows] for c in roadmap.columns} == {
        "Planned": ["Soon"],
        "In progress": ["Building"],
        "Done": ["Shipped"],
    }
    log = changelog_view(session=db, actor=actor, page=1)
    assert [e.row.post.title for e in log.entries] == ["Shipped"]


def test_deleting_an_idea_takes_its_votes_along(db, tenants) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme)
    votes.vote(session=db, actor=board_actor(db, tenants.acme_admin, tenants.acme), key=post.key)
    posts.delete_post(
        session=db, actor=board_actor(db, tenants.acme_collab, tenants.acme), key=post.key
    )
    assert db.exec(select(FeedbackPost).where(FeedbackPost.id == post.id)).first() is None


def test_similar_ideas_while_typing(db, tenants) -> None:
    from services.feedback.listing import similar_posts

    make_post(db, tenants.acme_collab, tenants.acme, "Export reports as PDF")
    popular = make_post(db, tenants.acme_collab, tenants.acme, "Monthly report by email")
    make_post(db, tenants.acme_collab, tenants.acme, "Dark mode")
    make_post(db, tenants.globex_admin, tenants.globex, "Globex report export")
    votes.vote(session=db, actor=board_actor(db, tenants.acme_admin, tenants.acme), key=popular.key)
    actor = board_actor(db, tenants.acme_viewer, tenants.acme)
    found = [p.title for p in similar_posts(session=db, actor=actor, text="Report expo")]
    assert set(found) == {"Export reports as PDF", "Monthly report by email"}
    assert similar_posts(session=db, actor=actor, text="a !") == []
    assert similar_posts(session=db, actor=actor, text="zzzz qqqq") == []
