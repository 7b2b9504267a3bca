"""Notifications that resolve themselves, collapse per object, and the bell's panel."""

from __future__ import annotations

from sqlmodel import select

from portal.models import Notification
from portal.models.deliverable import RevisionRequest
from portal.models.task import RequestCreate, TaskCommentCreate
from services import deliverables as deliverables_service
from services import tasks as task_service
from services.events.notifications import unread_count
from services.tasks.requests import create_request
from tests.factories.deliverables import actor, make_deliverable


def _mine(db, user, **where) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Notification, key) == value)
    return list(db.exec(stmt.order_by(Notification.id)).all())


def test_approving_clears_every_approvers_ready_for_review(db, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme, name="Pricing page")
    deliverables_service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    for who in (tenants.acme_admin, tenants.acme_collab):
        [n] = _mine(db, who, type="deliverable_in_review")
        assert n.done_at is None and unread_count(db, user_id=who.id) == 1
    deliverables_service.approve(db, actor=actor(db, tenants.acme_collab), deliverable_id=d.id)
    for who in (tenants.acme_admin, tenants.acme_collab):  # the approver and the other approver
        [n] = _mine(db, who, type="deliverable_in_review")
        assert n.done_at is not None and n.read_at is not None
        assert unread_count(db, user_id=who.id) == 0
    # the PM's "approved" notice is news, not work: it stays unread
    [approved] = _mine(db, tenants.pm, type="deliverable_approved")
    assert approved.done_at is None and approved.read_at is None


def test_a_revision_request_clears_review_and_a_new_version_clears_the_revision(db, tenants):
    d = make_deliverable(db, tenants.pm, tenants.acme, name="Pricing page")
    pm = actor(db, tenants.pm)
    deliverables_service.submit(db, actor=pm, deliverable_id=d.id)
    deliverables_service.request_revision(
        db,
        actor=actor(db, tenants.acme_admin),
        deliverable_id=d.id,
        data=RevisionRequest(note="Bigger headline"),
    )
    [review] = _mine(db, tenants.acme_collab, type="deliverable_in_review")
    assert review.done_at is not None
    [revision] = _mine(db, tenants.pm, type="deliverable_revision_requested")
    assert revision.done_at is None and unread_count(db, user_id=tenants.pm.id) == 1
    from portal.models.deliverable import VersionCreate

    deliverables_service.add_version(
        db, actor=pm, deliverable_id=d.id, data=VersionCreate(url="https://example.com/v2")
    )
    db.refresh(revision)
    assert revision.done_at is not None and unread_count(db, user_id=tenants.pm.id) == 0
    # the collaborator's fresh "ready for review" is a new, open row (the done one stays done)
    rows = _mine(db, tenants.acme_collab, type="deliverable_in_review")
    assert [r.done_at is None for r in rows] == [False, True]


def test_repeated_notices_about_one_task_collapse(db, tenants, make_task) -> None:
    task = make_task(tenants.acme_project, title="Pricing page", status="open")
    pm = actor(db, tenants.pm)
    task.requested_by_id = tenants.acme_collab.id
    db.add(task)
    db.flush()
    for status in ("in_progress", "complete", "in_progress", "complete"):
        task_service.move_task(db, actor=pm, task_id=task.id, status=status)
    [row] = _mine(db, tenants.acme_collab)
    assert row.repeats == 2 and row.title == "Pricing page — 2 updates"
    assert row.body == "Latest: Completed: Pricing page"
    assert unread_count(db, user_id=tenants.acme_collab.id) == 1
    # once read, the next notice is a new row again
    row.read_at = row.created_at
    db.add(row)
    db.flush()
    task_service.move_task(db, actor=pm, task_id=task.id, status="in_progress")
    task_service.move_task(db, actor=pm, task_id=task.id, status="complete")
    assert len(_mine(db, tenants.acme_collab)) == 2


def test_answering_a_request_clears_the_managers_new_request(db, tenants) -> None:
    task = create_request(
        db,
        actor=actor(db, tenants.acme_collab),
        company_id=tenants.acme.id,
        data=RequestCreate(title="Fix the footer"),
    )
    [n] = _mine(db, tenants.pm, type="request_created")
    assert n.done_at is None
    # the client's own follow-up is not an answer
    task_service.add_comment(
        db, actor=actor(db, tenants.acme_collab), task_id=task.id, data=TaskCommentCreate(body="+1")
    )
    db.refresh(n)
    assert n.done_at is None
    task_service.add_comment(
        db, actor=actor(db, tenants.pm), task_id=task.id, data=TaskCommentCreate(body="On it")
    )
    db.refresh(n)
    assert n.done_at is not None and unread_count(db, user_id=tenants.pm.id) == 0


def test_approving_a_file_clears_the_approvers_notice(db, client, login, tenants) -> None:
    from tests.web.files.test_files import PDF, chunked_upload

    login(tenants.acme_collab)
    done = chunked_upload(client, "acme-test", "ok.pdf", PDF, approver_id=tenants.acme_admin.id)
    file_id = done.get_json()["file_id"]
    [n] = _mine(db, tenants.acme_admin, type="file_approval_requested")
    assert n.done_at is None
    login(tenants.acme_admin)
    assert client.post(f"/p/acme-test/files/{file_id}/approve").status_code == 303
    db.refresh(n)
    assert n.done_at is not None
    page = client.get("/notifications").get_data(as_text=True)
    assert "ok.pdf needs your approval" in page and "Done" in page


def test_own_action_refreshes_the_bell_at_once(db, client, login, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme, name="Pricing page")
    deliverables_service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    login(tenants.acme_admin)
    hx = {"HX-Request": "true"}
    resp = client.post(f"/p/acme-test/deliverables/{d.id}/approve", headers=hx)
    assert resp.status_code < 400
    assert "stoa:notifications" in resp.headers.get("HX-Trigger", "")
    # an action that changes nothing of mine does not ask the bell to reload
    other = make_deliverable(db, tenants.pm, tenants.acme, name="Other")
    login(tenants.pm)
    resp = client.post(f"/p/acme-test/deliverables/{other.id}/submit", headers=hx)
    assert resp.status_code < 400 and "stoa:notifications" not in resp.headers.get("HX-Trigger", "")
    # the badge listens for the event as well as polling
    badge = client.get("/notifications/badge").get_data(as_text=True)
    assert 'hx-trigger="every 30s, stoa:notifications from:body"' in badge


def test_panel_lists_latest_and_marks_all_read(db, client, login, tenants, count_queries):
    for i in range(10):
        db.add(
            Notification(
                user_id=tenants.acme_collab.id,
                company_id=tenants.acme.id,
                type="note_mention",
                title=f"Mention {i}",
                url="/p/acme-test/notes",
            )
        )
    db.flush()
    login(tenants.acme_collab)
    shell = client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert 'data-bell-panel="/notifications/panel"' in shell and 'aria-expanded="false"' in shell
    client.get("/notifications/panel", headers={"HX-Request": "true"})
    with count_queries() as q:
        resp = client.get("/notifications/panel", headers={"HX-Request": "true"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in html and q.count <= 6, q.statements
    assert "Mention 9" in html and "Mention 2" in html and "Mention 1" not in html  # latest 8
    assert "Mark all read" in html and "See all notifications" in html
    assert 'method="post" action="/notifications/' in html  # opening one is a POST
    resp = client.post("/notifications/read-all?from=panel", headers={"HX-Request": "true"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Mark all read" not in html and "Mention 9" in html
    assert "stoa:notifications" in resp.headers["HX-Trigger"]
    assert unread_count(db, user_id=tenants.acme_collab.id) == 0


def test_following_a_notification_by_get_writes_nothing(db, client, login, tenants) -> None:
    n = Notification(
        user_id=tenants.acme_collab.id,
        company_id=tenants.acme.id,
        type="note_mention",
        title="Hello",
        url="/p/acme-test/notes",
    )
    db.add(n)
    db.flush()
    login(tenants.acme_collab)
    resp = client.get(f"/notifications/{n.id}/go")
    assert resp.status_code == 302 and resp.headers["Location"] == "/p/acme-test/notes"
    db.refresh(n)
    assert n.read_at is None
    resp = client.post(f"/notifications/{n.id}/go")
    assert resp.status_code == 303 and resp.headers["Location"] == "/p/acme-test/notes"
    db.refresh(n)
    assert n.read_at is not None
