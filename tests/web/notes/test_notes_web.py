from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import ActivityLog, Note, Notification
from tests.conftest import assert_both_ways


def _written(db) -> tuple[list, list, list]:
    """Every note (with its body and deletion), activity row and notification: a refused
    write must leave all three as they were."""
    db.expire_all()
    return (
        [(n.id, n.body, n.deleted_at) for n in db.exec(select(Note)).all()],
        db.exec(select(ActivityLog.id)).all(),
        db.exec(select(Notification.id)).all(),
    )


def _note(db, tenants, body="Hello", author=None, **kw) -> Note:
    note = Note(
        company_id=kw.pop("company_id", tenants.acme.id),
        resource_type="project",
        resource_id=kw.pop("resource_id", tenants.acme_project.id),
        author_id=(author or tenants.acme_collab).id,
        body=body,
        **kw,
    )
    db.add(note)
    db.flush()
    return note


def test_notes_page_both_ways(client, login, tenants, db) -> None:
    _note(db, tenants, "A **bold** question")
    login(tenants.acme_collab)
    full, part = assert_both_ways(client, "/p/acme-test/notes")
    assert "<strong>bold</strong>" in full and 'data-tab="notes"' in full
    assert "<title>Notes" in part and "Start a conversation" in part
    project_view, _ = assert_both_ways(
        client, f"/p/acme-test/notes?project={tenants.acme_project.id}"
    )
    assert "Discussion: Acme Website" in project_view


def test_viewer_sees_no_write_controls_and_gets_403(client, login, tenants, db) -> None:
    note = _note(db, tenants)
    login(tenants.acme_viewer)
    html = client.get("/p/acme-test/notes").get_data(as_text=True)
    assert "Hello" in html
    assert "Start a conversation" not in html and "Post reply" not in html and ">Edit<" not in html
    project = tenants.acme_project.id
    before = _written(db)
    for url in [
        "/p/acme-test/notes",
        f"/p/acme-test/notes/{note.id}/replies",
        f"/p/acme-test/notes/{note.id}",
        f"/p/acme-test/notes/{note.id}/delete",
    ]:
        resp = client.post(url, data={"body": "x", "resource_id": project})
        assert resp.status_code == 403, url
    assert _written(db) == before


def test_collaborator_posts_a_thread_with_a_mention(client, login, tenants, db) -> None:
    login(tenants.acme_collab)
    resp = client.post(
        "/p/acme-test/notes",
        data={"body": f"Ping @{tenants.acme_admin.email}", "resource_id": tenants.acme_project.id},
    )
    assert resp.status_code == 303 and "#note-" in resp.headers["Location"]
    note = db.exec(select(Note)).one()
    assert note.author_id == tenants.acme_collab.id and not note.is_internal
    mention = db.exec(
        select(Notification).where(Notification.user_id == tenants.acme_admin.id)
    ).one()
    assert mention.type == "note_mention"


def test_htmx_post_renders_the_page_block_and_422_on_empty(client, login, tenants, db) -> None:
    login(tenants.acme_collab)
    hx = {"HX-Request": "true"}
    data = {"body": "Via htmx", "resource_id": tenants.acme_project.id}
    resp = client.post("/p/acme-test/notes", data=data, headers=hx)
    assert resp.status_code == 200 and "Via htmx" in resp.get_data(as_text=True)
    assert "<html" not in resp.get_data(as_text=True)
    before = _written(db)
    bad = client.post("/p/acme-test/notes", data={**data, "body": " "}, headers=hx)
    assert bad.status_code == 422 and "Write something first." in bad.get_data(as_text=True)
    assert _written(db) == before


def test_reply_edit_delete_fragments(client, login, tenants, db) -> None:
    root = _note(db, tenants, author=tenants.acme_admin)
    login(tenants.acme_collab)
    hx = {"HX-Request": "true"}
    resp = client.post(
        f"/p/acme-test/notes/{root.id}/replies", data={"body": "My reply"}, headers=hx
    )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and f'id="thread-{root.id}"' in body and "My reply" in body
    assert "<html" not in body and 'class="tabbar portal-tabbar"' not in body
    reply = db.exec(select(Note).where(Note.parent_id == root.id)).one()
    # edit form, both ways
    frag = client.get(f"/p/acme-test/notes/{reply.id}/edit", headers=hx).get_data(as_text=True)
    assert "<textarea" in frag and "My reply</textarea>" in frag
    full = client.get(f"/p/acme-test/notes/{reply.id}/edit").get_data(as_text=True)
    assert "<html" in full and "My reply</textarea>" in full
    saved = client.post(f"/p/acme-test/notes/{reply.id}", data={"body": "Edited"}, headers=hx)
    assert "Edited" in saved.get_data(as_text=True) and "edited" in saved.get_data(as_text=True)
    gone = client.post(f"/p/acme-test/notes/{reply.id}/delete", headers=hx)
    assert gone.status_code == 200 and "Edited" not in gone.get_data(as_text=True)
    db.refresh(reply)
    assert reply.deleted_at is not None
    # plain form posts redirect back to the thread
    plain = client.post(f"/p/acme-test/notes/{root.id}/replies", data={"body": "again"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"#note-{root.id + 2}")


def test_cannot_edit_or_delete_someone_elses_note(client, login, tenants, db) -> None:
    note = _note(db, tenants, author=tenants.acme_admin)
    login(tenants.acme_collab)
    before = _written(db)
    assert client.get(f"/p/acme-test/notes/{note.id}/edit").status_code == 403
    hx = {"HX-Request": "true"}
    assert client.get(f"/p/acme-test/notes/{note.id}/edit", headers=hx).status_code == 403
    cancel = client.get(f"/p/acme-test/notes/{note.id}/edit?cancel=1", headers=hx)
    assert cancel.status_code == 200
    assert f'id="edit-{note.id}"' not in cancel.get_data(as_text=True)
    assert client.post(f"/p/acme-test/notes/{note.id}", data={"body": "hijack"}).status_code == 403
    assert client.post(f"/p/acme-test/notes/{note.id}/delete").status_code == 403
    db.refresh(note)
    assert note.body == "Hello" and note.deleted_at is None
    assert _written(db) == before


def test_internal_notes_never_reach_clients(client, login, tenants, db) -> None:
    note = _note(db, tenants, "Secret margin talk", author=tenants.pm, is_internal=True)
    login(tenants.acme_admin)
    assert "Secret margin talk" not in client.get("/p/acme-test/notes").get_data(as_text=True)
    assert client.get(f"/p/acme-test/notes/{note.id}/edit").status_code == 404
    before = _written(db)
    assert (
        client.post(f"/p/acme-test/notes/{note.id}/replies", data={"body": "x"}).status_code == 404
    )
    assert _written(db) == before
    activity = client.get("/p/acme-test/activity").get_data(as_text=True)
    login(tenants.pm)
    html = client.get("/p/acme-test/notes").get_data(as_text=True)
    assert "Secret margin talk" in html and "Internal" in html
    assert "Internal note (staff only)" in html  # staff get the toggle
    resp = client.post(
        "/p/acme-test/notes",
        data={"body": "staff aside", "resource_id": tenants.acme_project.id, "is_internal": "1"},
    )
    assert resp.status_code == 303
    assert db.exec(select(Note).where(Note.body == "staff aside")).one().is_internal
    assert "internal" not in activity.lower()


def test_client_toggle_for_internal_is_refused(client, login, tenants, db) -> None:
    login(tenants.acme_collab)
    html = client.get("/p/acme-test/notes").get_data(as_text=True)
    assert "Internal note" not in html
    before = _written(db)
    resp = client.post(
        "/p/acme-test/notes",
        data={"body": "x", "resource_id": tenants.acme_project.id, "is_internal": "1"},
    )
    assert resp.status_code == 403
    assert _written(db) == before


def test_stored_xss_renders_inert_on_the_page(client, login, tenants, db) -> None:
    _note(
        db,
        tenants,
        "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    login(tenants.acme_collab)
    html = client.get("/p/acme-test/notes").get_data(as_text=True)
    assert "<script>alert" not in html and 'href="javascript' not in html
    assert "<img" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_foreign_project_filter_is_404(client, login, tenants) -> None:
    login(tenants.acme_collab)
    assert client.get(f"/p/acme-test/notes?project={tenants.globex_project.id}").status_code == 404


@pytest.mark.parametrize("who", ["acme_collab", "pm"])
def test_notes_page_query_count_does_not_grow(
    client, login, tenants, db, count_queries, who
) -> None:
    login(getattr(tenants, who))

    def make(n: int) -> None:
        for i in range(n):
            root = _note(db, tenants, f"Thread {i} @someone", author=tenants.acme_admin)
            _note(db, tenants, "reply", author=tenants.acme_collab, parent_id=root.id)
            _note(db, tenants, "retail", company_id=tenants.retail.id,
                  resource_id=tenants.retail_project.id, author=tenants.retail_admin)  # fmt: skip

    make(3)
    client.get("/p/acme-test/notes")
    with count_queries() as few:
        assert client.get("/p/acme-test/notes").status_code == 200
    make(27)
    with count_queries() as many:
        assert client.get("/p/acme-test/notes").status_code == 200
    assert few.count == many.count <= 12, "\n".join(many.statements)


def test_threads_are_paged_newest_first(client, login, tenants, db) -> None:
    from datetime import timedelta

    from portal.models.base import utcnow

    start = utcnow()
    for i in range(23):
        _note(db, tenants, f"Thread number {i}.", created_at=start + timedelta(minutes=i))
    login(tenants.acme_collab)
    project = tenants.acme_project.id
    first = client.get(f"/p/acme-test/notes?project={project}").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Thread number 22." in first
    assert "Thread number 2." not in first
    older = f"/p/acme-test/notes?project={project}&amp;page=2"
    assert f'href="{older}"' in first and ">Older <svg" in first and "Newer</a>" not in first
    second = client.get(f"/p/acme-test/notes?project={project}&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and "Thread number 0." in second and "Newer</a>" in second
    assert "Thread number 3." not in second
    beyond = client.get("/p/acme-test/notes?page=99&project=x").get_data(as_text=True)
    assert "Page 2 of 2" in beyond  # past the end shows the last page; a bad filter is ignored
