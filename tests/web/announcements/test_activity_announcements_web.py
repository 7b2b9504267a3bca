from __future__ import annotations

from sqlmodel import select

from portal.models import ActivityLog, Announcement, Notification
from tests.conftest import assert_both_ways


def _written(db) -> tuple[list, list, list]:
    """Announcements, activity and notifications: what a refused publish must not touch."""
    db.expire_all()
    return (
        db.exec(select(Announcement.id)).all(),
        db.exec(select(ActivityLog.id)).all(),
        db.exec(select(Notification.id)).all(),
    )


def _activity(db, tenants, n: int, **kw) -> None:
    db.add_all(
        [
            ActivityLog(
                company_id=kw.get("company_id", tenants.acme.id),
                actor_id=kw.get("actor_id", tenants.acme_admin.id),
                actor_label="Someone",
                action=kw.get("action", "task_created"),
                object_type=kw.get("object_type", "task"),
                description=f"{kw.get('label', 'Event')} {i}",
            )
            for i in range(n)
        ]
    )
    db.flush()


def test_activity_page_filters_and_pages(client, login, tenants, db) -> None:
    _activity(db, tenants, 30, label="Created")
    _activity(db, tenants, 2, action="file_uploaded", actor_id=tenants.acme_collab.id, label="Up")
    _activity(db, tenants, 1, object_type="internal_note", action="message_sent", label="Hush")
    _activity(db, tenants, 1, company_id=tenants.globex.id, label="Globex")
    login(tenants.acme_viewer)
    full, part = assert_both_ways(client, "/p/acme-test/activity")
    assert "Page 1 of 2" in full and "Hush" not in full and "Globex" not in full
    assert "<title>Activity" in part
    page2 = client.get("/p/acme-test/activity?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page2
    uploads = client.get("/p/acme-test/activity?action=file_uploaded").get_data(as_text=True)
    assert "Up 0" in uploads and "Created 0" not in uploads
    person = client.get(f"/p/acme-test/activity?person={tenants.acme_collab.id}")
    assert "Up 1" in person.get_data(as_text=True)
    assert "Created" not in person.get_data(as_text=True)
    login(tenants.pm)
    assert "Hush 0" in client.get("/p/acme-test/activity").get_data(as_text=True)


def test_activity_query_count(client, login, tenants, db, count_queries) -> None:
    login(tenants.pm)
    _activity(db, tenants, 3)
    client.get("/p/acme-test/activity")
    with count_queries() as few:
        client.get("/p/acme-test/activity")
    _activity(db, tenants, 30)
    with count_queries() as many:
        client.get("/p/acme-test/activity")
    assert few.count == many.count <= 12, "\n".join(many.statements)


def test_announcements_page_shows_own_and_agency_wide(client, login, tenants, db) -> None:
    db.add_all(
        [
            Announcement(title="Everyone", body="**all**"),
            Announcement(title="Acme only", company_id=tenants.acme.id, body="<script>x</script>"),
            Announcement(title="Globex only", company_id=tenants.globex.id),
        ]
    )
    db.flush()
    login(tenants.acme_viewer)
    full, _ = assert_both_ways(client, "/p/acme-test/announcements")
    assert "Everyone" in full and "Acme only" in full and "Globex only" not in full
    assert "<strong>all</strong>" in full and "<script>x" not in full
    login(tenants.retail_admin)  # a child company does not see its parent's news
    html = client.get("/p/acme-retail-test/announcements").get_data(as_text=True)
    assert "Everyone" in html and "Acme only" not in html


def test_staff_publish_and_clients_are_notified(client, login, tenants, db) -> None:
    login(tenants.staff_admin)
    page = client.get("/admin/announcements/")
    assert page.status_code == 200 and "Every client portal" in page.get_data(as_text=True)
    resp = client.post(
        "/admin/announcements/",
        data={"title": "Launch week", "body": "Big *news*", "company_id": str(tenants.acme.id)},
    )
    assert resp.status_code == 303
    row = db.exec(select(Announcement).where(Announcement.title == "Launch week")).one()
    notified = {
        n.user_id
        for n in db.exec(select(Notification).where(Notification.type == "announcement")).all()
    }
    assert notified == {tenants.acme_admin.id, tenants.acme_collab.id, tenants.acme_viewer.id}
    before = _written(db)
    bad = client.post("/admin/announcements/", data={"title": " "})
    assert bad.status_code == 422 and "Give the announcement a title." in bad.get_data(as_text=True)
    assert _written(db) == before
    row_id = row.id
    assert client.post(f"/admin/announcements/{row_id}/delete").status_code == 303
    db.expire_all()
    assert db.exec(select(Announcement).where(Announcement.id == row_id)).first() is None


def test_pm_cannot_announce_to_everyone_and_clients_never_reach_admin(
    client, login, tenants, db
) -> None:
    login(tenants.pm)
    before = _written(db)
    resp = client.post("/admin/announcements/", data={"title": "All hands", "company_id": ""})
    assert resp.status_code == 403
    assert _written(db) == before
    ok = client.post(
        "/admin/announcements/", data={"title": "Acme news", "company_id": str(tenants.acme.id)}
    )
    assert ok.status_code == 303
    before = _written(db)
    globex = client.post(
        "/admin/announcements/", data={"title": "x", "company_id": str(tenants.globex.id)}
    )
    assert globex.status_code == 404
    login(tenants.acme_admin)
    assert client.get("/admin/announcements/").status_code == 404
    assert client.post("/admin/announcements/", data={"title": "x"}).status_code == 404
    [acme_news] = before[0]
    assert client.post(f"/admin/announcements/{acme_news}/delete").status_code == 404
    assert _written(db) == before
