"""Task attachments over HTTP: upload+attach, attach existing, detach, visibility, tenancy."""

from __future__ import annotations

import io
import os

import pytest
from sqlmodel import select

from portal.models import ActivityLog, Portal, PortalFile, TaskAttachment
from portal.tenancy import actor_for_user
from services import files as file_service
from tests.conftest import assert_both_ways

BASE = "/p/acme-test"
PDF = b"%PDF-1.7\n" + os.urandom(3000) + b"\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + os.urandom(1000)
HX = {"HX-Request": "true"}


@pytest.fixture
def task(tenants, make_task):
    return make_task(tenants.acme_project, "Write the brief")


def _upload(db, user, company, name="spec.pdf", approver=None) -> PortalFile:
    portal = db.exec(select(Portal).where(Portal.company_id == company.id)).one()
    return file_service.upload_stream(
        db,
        actor=actor_for_user(db, user),
        portal=portal,
        stream=io.BytesIO(PDF),
        name=name,
        approver_id=approver.id if approver else None,
    )


def _attachments(db, task) -> list[TaskAttachment]:
    return list(db.exec(select(TaskAttachment).where(TaskAttachment.task_id == task.id)).all())


def test_upload_and_attach_in_the_drawer(db, client, login, tenants, task) -> None:
    login(tenants.acme_collab)
    resp = client.post(
        f"{BASE}/tasks/{task.id}/attachments",
        data={"file": (io.BytesIO(PDF), "brief.pdf")},
        content_type="multipart/form-data",
        headers=HX,
    )
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "<html" not in html and 'id="task-drawer"' in html
    (att,) = _attachments(db, task)
    file = db.get(PortalFile, att.file_id)
    assert file.name == "brief.pdf" and file.company_id == tenants.acme.id
    assert att.attached_by_id == tenants.acme_collab.id and att.company_id == task.company_id
    assert f"/files/{file.id}/download" in html and "brief.pdf" in html
    # the file is in the portal's files too, and the download link works
    assert "brief.pdf" in client.get(f"{BASE}/files").get_data(as_text=True)
    dl = client.get(f"{BASE}/files/{file.id}/download")
    assert dl.status_code == 200 and dl.data == PDF
    dl.close()
    actions = db.exec(
        select(ActivityLog.action, ActivityLog.description).where(
            ActivityLog.company_id == tenants.acme.id
        )
    ).all()
    assert "file_uploaded" in {a for a, _ in actions}
    assert any(a == "task_updated" and "attached brief.pdf" in d for a, d in actions)


def test_plain_form_upload_redirects_to_the_task_page(db, client, login, tenants, task) -> None:
    login(tenants.acme_collab)
    resp = client.post(
        f"{BASE}/tasks/{task.id}/attachments",
        data={"file": (io.BytesIO(PDF), "plain.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/tasks/{task.id}")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "plain.pdf" in page and "Attachments" in page


def test_refused_or_missing_upload_shows_the_error(db, client, login, tenants, task) -> None:
    login(tenants.acme_collab)
    resp = client.post(
        f"{BASE}/tasks/{task.id}/attachments",
        data={"file": (io.BytesIO(ELF), "evil.png")},
        content_type="multipart/form-data",
        headers=HX,
    )
    assert resp.status_code == 422 and "Linux program" in resp.get_data(as_text=True)
    resp = client.post(f"{BASE}/tasks/{task.id}/attachments", data={}, headers=HX)
    assert resp.status_code == 422 and "Choose a file to upload." in resp.get_data(as_text=True)
    assert _attachments(db, task) == []


def test_attach_existing_file(db, client, login, tenants, task) -> None:
    file = _upload(db, tenants.acme_admin, tenants.acme, "logo.pdf")
    login(tenants.acme_collab)
    drawer = client.get(f"{BASE}/tasks/{task.id}", headers=HX).get_data(as_text=True)
    assert f'<option value="{file.id}">logo.pdf</option>' in drawer
    resp = client.post(
        f"{BASE}/tasks/{task.id}/attachments/existing", data={"file_id": file.id}, headers=HX
    )
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert f"/files/{file.id}/download" in html
    assert f'<option value="{file.id}">logo.pdf' not in html  # no longer offered
    assert [a.file_id for a in _attachments(db, task)] == [file.id]
    again = client.post(
        f"{BASE}/tasks/{task.id}/attachments/existing", data={"file_id": file.id}, headers=HX
    )
    assert again.status_code == 422 and "already attached" in again.get_data(as_text=True)


def test_foreign_or_unknown_file_can_never_be_attached(db, client, login, tenants, task) -> None:
    foreign = _upload(db, tenants.globex_admin, tenants.globex, "globex.pdf")
    login(tenants.acme_collab)
    drawer = client.get(f"{BASE}/tasks/{task.id}", headers=HX).get_data(as_text=True)
    assert "globex.pdf" not in drawer
    for file_id in (foreign.id, 999999, 2**40, -1, "nope"):
        resp = client.post(
            f"{BASE}/tasks/{task.id}/attachments/existing", data={"file_id": file_id}
        )
        assert resp.status_code == 404, file_id
    # staff who can see every tenant still can't attach Globex's file to Acme's task
    login(tenants.staff_admin)
    resp = client.post(f"{BASE}/tasks/{task.id}/attachments/existing", data={"file_id": foreign.id})
    assert resp.status_code == 404
    assert _attachments(db, task) == []


def test_pending_files_follow_file_visibility(db, client, login, tenants, task, make_user) -> None:
    other = make_user(tenants.acme, "collaborator")
    pending = _upload(db, tenants.acme_collab, tenants.acme, "draft.pdf", tenants.acme_admin)
    login(tenants.acme_collab)  # the uploader may attach their pending file
    resp = client.post(
        f"{BASE}/tasks/{task.id}/attachments/existing", data={"file_id": pending.id}, headers=HX
    )
    assert resp.status_code == 200 and "draft.pdf" in resp.get_data(as_text=True)
    for who, sees in ((tenants.acme_admin, True), (tenants.staff_admin, True), (other, False)):
        login(who)
        drawer = client.get(f"{BASE}/tasks/{task.id}", headers=HX).get_data(as_text=True)
        assert ("draft.pdf" in drawer) is sees, who.email
    login(other)
    resp = client.post(f"{BASE}/tasks/{task.id}/attachments/existing", data={"file_id": pending.id})
    assert resp.status_code == 404


def test_detach_by_the_attacher_or_staff_only(db, client, login, tenants, task, make_user) -> None:
    other = make_user(tenants.acme, "collaborator")
    file = _upload(db, tenants.acme_admin, tenants.acme, "shared.pdf")
    login(tenants.acme_collab)
    client.post(f"{BASE}/tasks/{task.id}/attachments/existing", data={"file_id": file.id})
    (att,) = _attachments(db, task)
    url = f"{BASE}/tasks/{task.id}/attachments/{att.id}/delete"
    login(other)
    drawer = client.get(f"{BASE}/tasks/{task.id}", headers=HX).get_data(as_text=True)
    assert "shared.pdf" in drawer and url not in drawer
    assert client.post(url).status_code == 403
    login(tenants.acme_collab)
    resp = client.post(url, headers=HX)
    assert resp.status_code == 200 and "No files attached." in resp.get_data(as_text=True)
    assert _attachments(db, task) == []
    assert db.get(PortalFile, file.id).deleted_at is None  # the file stays in Files
    # staff may remove anyone's attachment
    client.post(f"{BASE}/tasks/{task.id}/attachments/existing", data={"file_id": file.id})
    (att,) = _attachments(db, task)
    login(tenants.staff_admin)
    resp = client.post(f"{BASE}/tasks/{task.id}/attachments/{att.id}/delete")
    assert resp.status_code == 303 and _attachments(db, task) == []
    assert db.exec(
        select(ActivityLog).where(ActivityLog.description.contains("removed shared.pdf"))
    ).first()


def test_attachment_of_another_task_is_404(db, client, login, tenants, task, make_task) -> None:
    other_task = make_task(tenants.acme_project, "Another")
    file = _upload(db, tenants.acme_admin, tenants.acme)
    login(tenants.acme_admin)
    client.post(f"{BASE}/tasks/{other_task.id}/attachments/existing", data={"file_id": file.id})
    (att,) = _attachments(db, other_task)
    resp = client.post(f"{BASE}/tasks/{task.id}/attachments/{att.id}/delete")
    assert resp.status_code == 404 and len(_attachments(db, other_task)) == 1
    resp = client.post(f"{BASE}/tasks/{task.id}/attachments/{2**40}/delete")
    assert resp.status_code == 404


def test_viewer_sees_the_list_but_no_forms_and_gets_403(db, client, login, tenants, task) -> None:
    file = _upload(db, tenants.acme_admin, tenants.acme, "visible.pdf")
    login(tenants.acme_admin)
    client.post(f"{BASE}/tasks/{task.id}/attachments/existing", data={"file_id": file.id})
    (att,) = _attachments(db, task)
    login(tenants.acme_viewer)
    html = client.get(f"{BASE}/tasks/{task.id}", headers=HX).get_data(as_text=True)
    assert "visible.pdf" in html and f"/files/{file.id}/download" in html
    assert "Upload and attach" not in html and "Attach an existing file" not in html
    assert "/delete" not in html.split("Attachments", 1)[1].split("Comments", 1)[0]
    for path, data in (
        (f"/tasks/{task.id}/attachments", {"file": (io.BytesIO(PDF), "v.pdf")}),
        (f"/tasks/{task.id}/attachments/existing", {"file_id": file.id}),
        (f"/tasks/{task.id}/attachments/{att.id}/delete", {}),
    ):
        assert client.post(BASE + path, data=data).status_code == 403, path
    assert len(_attachments(db, task)) == 1


def test_drawer_both_ways(db, client, login, tenants, task) -> None:
    file = _upload(db, tenants.acme_admin, tenants.acme, "both.pdf")
    login(tenants.acme_admin)
    client.post(f"{BASE}/tasks/{task.id}/attachments/existing", data={"file_id": file.id})
    full, part = assert_both_ways(client, f"{BASE}/tasks/{task.id}")
    assert "both.pdf" in full and "both.pdf" in part


def test_drawer_query_count_is_flat(db, client, login, tenants, task, count_queries) -> None:
    login(tenants.acme_collab)

    def add(n: int) -> None:
        for i in range(n):
            file = PortalFile(
                company_id=tenants.acme.id,
                name=f"bulk-{i}.pdf",
                stored_key=f"c{tenants.acme.id}/bulk{i}",
                size=10,
                content_type="application/pdf",
                uploaded_by_id=tenants.acme_admin.id,
            )
            db.add(file)
            db.flush()
            db.add(
                TaskAttachment(
                    task_id=task.id,
                    file_id=file.id,
                    company_id=tenants.acme.id,
                    attached_by_id=tenants.acme_admin.id,
                )
            )
        db.flush()

    add(3)
    url = f"{BASE}/tasks/{task.id}"
    client.get(url, headers=HX)
    counts = []
    for headers in ({}, HX):
        with count_queries() as few:
            assert client.get(url, headers=headers).status_code == 200
        counts.append(few.count)
    add(27)
    for i, headers in enumerate(({}, HX)):
        with count_queries() as many:
            page = client.get(url, headers=headers)
        assert page.status_code == 200 and page.get_data(as_text=True).count("bulk-") >= 30
        assert counts[i] == many.count <= 12, (counts[i], many.count)


def test_the_dropzone_names_the_limit_in_readable_units(
    client, db, login, tenants, make_task
) -> None:
    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.max_upload_mb = 2048
    db.add(portal)
    db.flush()
    task = make_task(tenants.acme_project, "Sizes")
    login(tenants.acme_collab)
    drawer = client.get(f"/p/acme-test/tasks/{task.id}").get_data(as_text=True)
    assert "up to 2 GB." in drawer and "2048 MB" not in drawer
    files = client.get("/p/acme-test/files").get_data(as_text=True)
    assert "Up to 2 GB each" in files and "2048 MB" not in files
