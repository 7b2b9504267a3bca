"""The embeddable widget, the inbox of raw feedback and the product vision page."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import FeedbackEntry, FeedbackWidget
from tests.conftest import assert_both_ways
from tests.factories.feedback import make_entry, make_post, make_vision, make_widget

MAX_INBOX_QUERIES = 14


@pytest.fixture
def widget(db, tenants):
    return make_widget(
        db, tenants.pm, tenants.acme, "Shop", ["https://shop.example", "http://localhost:8161"]
    )


def test_the_script_loads_from_any_site(client) -> None:
    with client.get("/widget/embed.js") as resp:
        assert resp.status_code == 200
        assert resp.mimetype in {"text/javascript", "application/javascript"}
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert resp.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
        assert "data-widget" in resp.get_data(as_text=True) or "dataset.widget" in resp.get_data(
            as_text=True
        )


def test_only_the_listed_sites_may_frame_the_widget(client, widget) -> None:
    page = client.get(f"/widget/{widget.key}")
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors https://shop.example http://localhost:8161" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "X-Frame-Options" not in page.headers  # DENY would override the allow-list
    assert "Tell Acme" in page.get_data(as_text=True) or "Send feedback" in page.get_data(
        as_text=True
    )


def test_a_widget_without_sites_may_be_framed_by_none(client, db, tenants) -> None:
    bare = make_widget(db, tenants.pm, tenants.acme, "Draft", ["https://x.example"])
    bare.allowed_origins = ""
    db.add(bare)
    db.flush()
    csp = client.get(f"/widget/{bare.key}").headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp


def test_other_pages_still_refuse_every_frame(client, login, tenants) -> None:
    login(tenants.acme_admin)
    page = client.get("/p/acme-test/feedback")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_an_unknown_widget_is_not_found(client) -> None:
    assert client.get("/widget/no-such-widget-key").status_code == 404
    assert client.post("/widget/no-such-widget-key", data={"feedback": "hi"}).status_code == 404


def test_a_visitor_sends_feedback_without_signing_in(app, client, db, widget) -> None:
    app.config["WTF_CSRF_ENABLED"] = True  # a cross-site iframe has no session to hold a token
    try:
        sent = client.post(
            f"/widget/{widget.key}",
            data={
                "type": "bug",
                "feedback": "Checkout is broken",
                "page_url": "https://shop.example/cart",
            },
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert sent.status_code == 201
    assert "Thank you" in sent.get_data(as_text=True)
    assert "frame-ancestors https://shop.example" in sent.headers["Content-Security-Policy"]
    entry = db.exec(select(FeedbackEntry).where(FeedbackEntry.widget_id == widget.id)).one()
    assert (entry.type, entry.text, entry.source, entry.user_id) == (
        "bug",
        "Checkout is broken",
        "widget",
        None,
    )
    assert entry.page_url == "https://shop.example/cart" and entry.sentiment == "negative"


def test_an_empty_message_is_refused_in_the_widget(client, db, widget) -> None:
    refused = client.post(f"/widget/{widget.key}", data={"type": "idea", "feedback": "  "})
    assert refused.status_code == 422
    assert "The feedback field is required." in refused.get_data(as_text=True)
    assert db.exec(select(FeedbackEntry).where(FeedbackEntry.widget_id == widget.id)).all() == []


def test_the_inbox_shows_widget_feedback_and_its_summary(
    client, login, db, tenants, widget
) -> None:
    make_entry(db, tenants.acme, widget, "Love the new checkout, great work", "praise")
    make_entry(db, tenants.acme, widget, "Search is slow and broken", "bug")
    login(tenants.acme_admin)
    full, _ = assert_both_ways(client, "/p/acme-test/feedback/inbox")
    assert "<h1>Feedback inbox</h1>" in full
    assert "Love the new checkout" in full and "Search is slow" in full
    assert "2 pieces of feedback" in full
    only = client.get("/p/acme-test/feedback/inbox?sentiment=negative").get_data(as_text=True)
    assert "Search is slow" in only and "Love the new checkout" not in only
    assert "Create widget" not in full  # client admins read; the agency manages widgets


def test_viewers_and_collaborators_do_not_get_the_inbox(client, login, tenants, widget) -> None:
    for who in (tenants.acme_viewer, tenants.acme_collab):
        login(who)
        assert client.get("/p/acme-test/feedback/inbox").status_code == 404
        assert "Inbox" not in client.get("/p/acme-test/feedback").get_data(as_text=True)


def test_staff_create_a_widget_and_get_its_snippet(client, login, db, tenants) -> None:
    login(tenants.pm)
    bad = client.post(
        "/p/acme-test/feedback/widgets",
        data={"name": "Site", "allowed_origins": "https://ok.example\nshop.example/path"},
    )
    assert bad.status_code == 422
    assert "is not an origin" in bad.get_data(as_text=True)
    made = client.post(
        "/p/acme-test/feedback/widgets",
        data={"name": "Site", "allowed_origins": "https://OK.example/\nhttp://localhost:8161"},
    )
    assert made.status_code in (200, 302, 303)
    widget = db.exec(select(FeedbackWidget).where(FeedbackWidget.name == "Site")).one()
    assert widget.origins == ["https://ok.example", "http://localhost:8161"]
    page = client.get("/p/acme-test/feedback/inbox").get_data(as_text=True)
    assert f'data-widget="{widget.key}"' in page and "/widget/embed.js" in page
    client.post(f"/p/acme-test/feedback/widgets/{widget.key}/delete")
    assert client.get(f"/widget/{widget.key}").status_code == 404


def test_inbox_query_count_does_not_grow(client, login, db, tenants, count_queries, widget) -> None:
    login(tenants.pm)

    def counted() -> int:
        client.get("/p/acme-test/feedback/inbox")
        with count_queries() as q:
            assert client.get("/p/acme-test/feedback/inbox").status_code == 200
        return q.count

    make_entry(db, tenants.acme, widget, "One")
    few = counted()
    other = make_widget(db, tenants.pm, tenants.acme, "Blog")
    for i in range(25):
        make_entry(db, tenants.acme, other if i % 2 else widget, f"Entry number {i}")
    assert counted() == few <= MAX_INBOX_QUERIES


def test_the_vision_page(client, login, db, tenants) -> None:
    make_post(db, tenants.acme_collab, tenants.acme, "Dark mode for the portal")
    login(tenants.acme_viewer)
    assert "No product vision yet" in assert_both_ways(client, "/p/acme-test/feedback/vision")[0]
    login(tenants.pm)
    client.post("/p/acme-test/feedback/vision/generate")
    drafted = client.get("/p/acme-test/feedback/vision").get_data(as_text=True)
    assert "Dark mode for the portal" in drafted
    refused = client.post("/p/acme-test/feedback/vision", data={"vision": ""})
    assert refused.status_code == 422 and "The vision field is required." in refused.get_data(
        as_text=True
    )
    client.post("/p/acme-test/feedback/vision", data={"vision": "Acme runs on one portal"})
    login(tenants.acme_viewer)
    seen = client.get("/p/acme-test/feedback/vision").get_data(as_text=True)
    assert "Acme runs on one portal" in seen and "Edit vision" not in seen
    login(tenants.acme_admin)
    assert client.post("/p/acme-test/feedback/vision", data={"vision": "Ours"}).status_code == 403
    make_vision(db, tenants.pm, tenants.acme, "Back to the agency's words")
