"""@mentions in task comments notify the people named who can see the task, once, never the
author; the same parser and audience as the notes (services.notes.notify_mentions)."""

from __future__ import annotations

from sqlmodel import select

from portal.models import Notification

BASE = "/p/acme-test"


def _notices(db, user) -> list[Notification]:
    return list(db.exec(select(Notification).where(Notification.user_id == user.id)).all())


def test_a_mention_in_a_task_comment_notifies_once_and_links_to_the_drawer(
    client, db, login, tenants, make_task, make_user
) -> None:
    task = make_task(tenants.acme_project, "Draft the sitemap", assignees=[tenants.acme_collab])
    outsider_staff = make_user(staff="pm", name="Olga Outsider")  # assigned to no company
    login(tenants.acme_collab)
    body = (
        f"@{tenants.acme_admin.email} please look, @{tenants.acme_admin.email} again; "
        f"@{tenants.globex_admin.email} @{outsider_staff.email} @{tenants.acme_collab.email}"
    )
    resp = client.post(f"{BASE}/tasks/{task.id}/comments", data={"body": body})
    assert resp.status_code == 303
    [notice] = _notices(db, tenants.acme_admin)
    assert notice.type == "task_mention"
    assert notice.title == f"{tenants.acme_collab.name} mentioned you on Draft the sitemap"
    assert notice.url == f"{BASE}/tasks/{task.id}"
    assert _notices(db, tenants.globex_admin) == []  # another tenant: never
    assert _notices(db, outsider_staff) == []  # staff not assigned to Acme: never
    assert _notices(db, tenants.acme_collab) == []  # the author themself: never
    # the link opens the task drawer for the person notified
    login(tenants.acme_admin)
    page = client.get(notice.url).get_data(as_text=True)
    assert "Draft the sitemap" in page and "please look" in page


def test_a_private_task_mentions_only_staff(client, db, login, tenants, make_task) -> None:
    task = make_task(tenants.acme_project, "Internal margin check", is_private=True)
    login(tenants.pm)
    body = f"@{tenants.acme_admin.email} @{tenants.staff_admin.email} check the margin"
    assert client.post(f"{BASE}/tasks/{task.id}/comments", data={"body": body}).status_code == 303
    assert _notices(db, tenants.acme_admin) == []  # the client cannot see a private task
    [notice] = _notices(db, tenants.staff_admin)
    assert notice.type == "task_mention" and notice.url == f"{BASE}/tasks/{task.id}"


def test_the_drawer_comment_box_offers_mentions(client, login, tenants, make_task) -> None:
    task = make_task(tenants.acme_project, "Draft the sitemap")
    login(tenants.acme_collab)
    drawer = client.get(f"{BASE}/tasks/{task.id}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert 'data-mention-url="/p/acme-test/mentions"' in drawer
    assert "js/mentions.js" in drawer  # travels with the fragment (fragment_head)
    private = make_task(tenants.acme_project, "Internal", is_private=True)
    login(tenants.pm)
    drawer = client.get(f"{BASE}/tasks/{private.id}").get_data(as_text=True)
    assert 'data-mention-url="/p/acme-test/mentions?internal=1"' in drawer
