"""Notes, announcements, notifications (worker API, reference 000) and v1 messages."""

from __future__ import annotations

from sqlmodel import select

from portal.models import ActivityLog, Announcement, Note, Notification, NotificationPreference
from portal.models.note import NoteCreate
from portal.tenancy import actor_for_user
from services import notes
from services.events.notifications import notify
from tests.api.conftest import assert_envelope, bearer, portal_of


def worker(token: str, company, role: str = "admin", user=None, **extra) -> dict[str, str]:
    headers = {"X-Portal-Company-Id": company.id, "X-Portal-User-Role": role}
    if user is not None:
        headers["X-Portal-User-Id"] = user.id
    return bearer(token, **headers, **extra)


def _written(db) -> tuple[list, list, list]:
    """Notes, activity and notifications: what a refused write must leave as it was."""
    db.expire_all()
    return (
        db.exec(select(Note.id)).all(),
        db.exec(select(ActivityLog.id)).all(),
        db.exec(select(Notification.id)).all(),
    )


def _post(db, user, company, project, body, **kw) -> Note:
    return notes.create_note(
        db,
        actor=actor_for_user(db, user).narrowed([company.id]),
        data=NoteCreate(body=body, resource_id=project.id, **kw),
    )


def test_worker_lists_group_notes_without_internal_ones(client, db, tenants, service_token):
    t = tenants
    _post(db, t.acme_admin, t.acme, t.acme_project, "acme **note**")
    _post(db, t.retail_admin, t.retail, t.retail_project, "retail note")
    _post(db, t.pm, t.acme, t.acme_project, "internal", is_internal=True)
    _post(db, t.globex_admin, t.globex, t.globex_project, "globex note")
    resp = client.get("/api/portal/notes", headers=worker(service_token, t.acme))
    assert resp.status_code == 200
    got = resp.get_json()["notes"]
    assert {n["content"] for n in got} == {"acme **note**", "retail note"}
    first = next(n for n in got if n["content"] == "acme **note**")
    assert first["contentHtml"] == "<p>acme <strong>note</strong></p>\n"
    assert isinstance(first["id"], str) and first["resourceType"] == "project"
    child = client.get("/api/portal/notes", headers=worker(service_token, t.retail))
    assert {n["content"] for n in child.get_json()["notes"]} == {"retail note"}


def test_worker_creates_notes_and_replies(client, db, tenants, service_token):
    t = tenants
    headers = worker(service_token, t.acme, "collaborator", t.acme_collab)
    resp = client.post(
        "/api/portal/notes",
        json={
            "resourceType": "project",
            "resourceId": str(t.acme_project.id),
            "content": f"Hello @{t.acme_admin.email}",
        },
        headers=headers,
    )
    assert resp.status_code == 201, resp.get_json()
    note = db.get(Note, int(resp.get_json()["id"]))
    assert note.author_id == t.acme_collab.id and not note.is_internal
    assert db.exec(select(ActivityLog).where(ActivityLog.object_id == note.id)).one().action == (
        "message_sent"
    )
    assert db.exec(select(Notification).where(Notification.user_id == t.acme_admin.id)).one()
    reply = client.post(
        "/api/portal/notes", json={"content": "re", "parentId": str(note.id)}, headers=headers
    )
    assert reply.status_code == 201
    assert db.get(Note, int(reply.get_json()["id"])).parent_id == note.id


def test_worker_note_errors(client, db, tenants, service_token):
    t = tenants
    headers = worker(service_token, t.acme, "collaborator", t.acme_collab)
    viewer = worker(service_token, t.acme, "viewer", t.acme_viewer)
    data = {"resourceId": str(t.acme_project.id), "content": "x"}
    before = _written(db)
    assert_envelope(client.post("/api/portal/notes", json=data, headers=viewer), 403)
    assert_envelope(client.post("/api/portal/notes", json={"content": "x"}, headers=headers), 422)
    foreign = {**data, "resourceId": str(t.globex_project.id)}
    assert_envelope(client.post("/api/portal/notes", json=foreign, headers=headers), 404)
    empty = {**data, "content": ""}
    assert_envelope(client.post("/api/portal/notes", json=empty, headers=headers), 422)
    stranger = {**data, "portalUserId": str(t.globex_admin.id)}
    no_user = worker(service_token, t.acme, "collaborator")
    assert_envelope(client.post("/api/portal/notes", json=stranger, headers=no_user), 403)
    assert _written(db) == before
    ok = client.post(
        "/api/portal/notes", json={**data, "portalUserId": str(t.acme_collab.id)}, headers=no_user
    )
    assert ok.status_code == 201
    assert db.get(Note, int(ok.get_json()["id"])).author_id == t.acme_collab.id


def test_worker_announcements(client, db, tenants, service_token):
    t = tenants
    db.add_all(
        [
            Announcement(title="For all", body="*everyone*"),
            Announcement(title="For acme", company_id=t.acme.id),
            Announcement(title="For globex", company_id=t.globex.id),
        ]
    )
    db.flush()
    resp = client.get("/api/portal/announcements", headers=worker(service_token, t.acme))
    titles = {a["title"] for a in resp.get_json()["announcements"]}
    assert titles == {"For all", "For acme"}


def _notify(db, tenants, n=3):
    actor = actor_for_user(db, tenants.pm)
    for i in range(n):
        notify(
            db,
            user_ids=[tenants.acme_collab.id],
            type="note_mention",
            title=f"N{i}",
            company_id=tenants.acme.id,
            actor=actor,
        )


def test_worker_notifications_flow(client, db, tenants, service_token):
    t = tenants
    _notify(db, t)
    headers = worker(service_token, t.acme, "collaborator", t.acme_collab)
    listed = client.get("/api/portal/notifications?limit=2", headers=headers).get_json()
    assert listed["limit"] == 2 and listed["offset"] == 0 and len(listed["notifications"]) == 2
    assert listed["total"] == 3 and listed["notifications"][0]["read"] is False
    count = client.get("/api/portal/notifications/unread-count", headers=headers).get_json()
    assert count == {"unread_count": 3}
    first = listed["notifications"][0]["id"]
    assert client.post(f"/api/portal/notifications/{first}/read", headers=headers).get_json() == {
        "ok": True
    }
    unread = client.get("/api/portal/notifications?filter=unread", headers=headers).get_json()
    assert len(unread["notifications"]) == 2
    assert client.post("/api/portal/notifications/read-all", headers=headers).status_code == 200
    assert client.get("/api/portal/notifications/unread-count", headers=headers).get_json() == {
        "unread_count": 0
    }
    assert (
        client.get("/api/portal/notifications?limit=500", headers=headers).get_json()["limit"]
        == 100
    )
    bad = client.get("/api/portal/notifications?filter=everything", headers=headers)
    assert_envelope(bad, 422)


def test_notifications_are_personal(client, db, tenants, service_token):
    t = tenants
    _notify(db, t, 1)
    mine = db.exec(select(Notification).where(Notification.user_id == t.acme_collab.id)).one()
    other = worker(service_token, t.acme, "admin", t.acme_admin)
    assert_envelope(client.post(f"/api/portal/notifications/{mine.id}/read", headers=other), 404)
    globex = worker(service_token, t.globex, "admin", t.globex_admin)
    assert_envelope(client.post(f"/api/portal/notifications/{mine.id}/read", headers=globex), 404)
    anonymous_user = worker(service_token, t.acme, "admin")
    assert_envelope(client.get("/api/portal/notifications", headers=anonymous_user), 403)
    db.refresh(mine)
    assert mine.read_at is None


def test_worker_preferences(client, db, tenants, service_token):
    headers = worker(service_token, tenants.acme, "collaborator", tenants.acme_collab)
    prefs = client.get("/api/portal/notifications/preferences", headers=headers).get_json()
    mention = next(p for p in prefs["preferences"] if p["notification_type"] == "note_mention")
    assert mention["channel_in_app"] is True and mention["channel_email"] is True
    body = {
        "preferences": [
            {"notification_type": "note_mention", "channel_in_app": True, "channel_email": False}
        ]
    }
    resp = client.put("/api/portal/notifications/preferences", json=body, headers=headers)
    assert resp.get_json() == {"ok": True}
    prefs = client.get("/api/portal/notifications/preferences", headers=headers).get_json()
    mention = next(p for p in prefs["preferences"] if p["notification_type"] == "note_mention")
    assert mention["channel_email"] is False
    body["preferences"][0]["notification_type"] = "nope"
    body["preferences"].insert(
        0, {"notification_type": "note_mention", "channel_in_app": False, "channel_email": True}
    )
    resp = client.put("/api/portal/notifications/preferences", json=body, headers=headers)
    assert_envelope(resp, 422)
    saved = db.exec(
        select(NotificationPreference).where(
            NotificationPreference.user_id == tenants.acme_collab.id
        )
    ).all()
    assert [(p.notification_type, p.channel_in_app, p.channel_email) for p in saved] == [
        ("note_mention", True, False)
    ]


def test_v1_messages(client, db, tenants, make_key):
    t = tenants
    portal = portal_of(db, t.acme)
    key = make_key(t.acme)
    resp = client.post(
        f"/api/v1/portals/{portal.id}/messages",
        json={"content": "From the integration"},
        headers=bearer(key),
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["project_id"] == t.acme_project.id and isinstance(body["id"], int)
    reply = client.post(
        f"/api/v1/portals/{portal.id}/messages",
        json={"content": "again", "parent_id": body["id"]},
        headers=bearer(key),
    )
    assert reply.status_code == 201 and reply.get_json()["parent_id"] == body["id"]
    globex_portal = portal_of(db, t.globex)
    before = _written(db)
    assert_envelope(
        client.post(
            f"/api/v1/portals/{globex_portal.id}/messages",
            json={"content": "x"},
            headers=bearer(key),
        ),
        404,
    )
    read_only = make_key(t.acme, scopes=["portal:read"])
    assert_envelope(
        client.post(
            f"/api/v1/portals/{portal.id}/messages",
            json={"content": "x"},
            headers=bearer(read_only),
        ),
        403,
        "insufficient_scope",
    )
    assert _written(db) == before
    agency = make_key()
    resp = client.post(
        f"/api/v1/portals/{portal.id}/messages",
        json={"content": "staff", "project_id": t.acme_project.id},
        headers=bearer(agency),
    )
    assert resp.status_code == 201


def test_history_hides_internal_notes_from_clients(client, db, tenants, service_token):
    _post(db, tenants.pm, tenants.acme, tenants.acme_project, "secret", is_internal=True)
    _post(db, tenants.acme_admin, tenants.acme, tenants.acme_project, "open")
    history = client.get("/api/portal/history", headers=worker(service_token, tenants.acme))
    types = {h["objectType"] for h in history.get_json()["history"]}
    assert "note" in types and "internal_note" not in types
