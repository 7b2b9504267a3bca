"""Files tab over HTTP: round trip, content checks, limits, approval, downloads, links."""

from __future__ import annotations

import hashlib
import io
import os
import re
from datetime import timedelta

import pytest
from sqlmodel import col, select

from portal.models import (
    ActivityLog,
    FileDownload,
    FileFolder,
    FilePublication,
    FileRequestLink,
    Notification,
    Portal,
    PortalFile,
    UploadSession,
)
from portal.models.base import utcnow
from tests.conftest import assert_both_ways

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(2000)
PDF = b"%PDF-1.7\n" + os.urandom(5000) + b"\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + os.urandom(3000)


def _portal(db, company) -> Portal:
    return db.exec(select(Portal).where(Portal.company_id == company.id)).one()


def chunked_upload(client, slug, name, data, chunk=4096, **extra):
    """Run the whole chunked protocol; returns the completion response."""
    start = client.post(f"/p/{slug}/files/uploads", json={"name": name, "size": len(data), **extra})
    assert start.status_code == 201, start.get_json()
    url = start.get_json()["url"]
    offset = 0
    while offset < len(data):
        piece = data[offset : offset + chunk]
        resp = client.patch(
            url,
            data=piece,
            headers={
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
        )
        assert resp.status_code == 200, resp.get_json()
        offset = resp.get_json()["offset"]
    return client.post(f"{url}/complete")


def download(client, url, **kw):
    resp = client.get(url, **kw)
    body = resp.get_data()
    resp.close()
    return resp, body


def test_upload_list_download_round_trip_is_byte_exact(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    data = PDF + os.urandom(50_000)
    done = chunked_upload(client, "acme-test", "Q1 report.pdf", data, chunk=7000)
    assert done.status_code == 201
    file_id = done.get_json()["file_id"]
    page = client.get("/p/acme-test/files").get_data(as_text=True)
    assert "Q1 report.pdf" in page
    resp, body = download(client, f"/p/acme-test/files/{file_id}/download")
    assert resp.status_code == 200
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(data).hexdigest()
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.mimetype == "application/pdf"
    log = db.exec(select(FileDownload).where(FileDownload.file_id == file_id)).all()
    assert [d.user_id for d in log] == [tenants.acme_collab.id]
    actions = db.exec(select(ActivityLog.action).where(ActivityLog.object_id == file_id)).all()
    assert "file_uploaded" in actions


def test_pdf_and_images_preview_inline_with_safe_headers(client, login, tenants) -> None:
    login(tenants.acme_collab)
    file_id = chunked_upload(client, "acme-test", "logo.png", PNG).get_json()["file_id"]
    resp, body = download(client, f"/p/acme-test/files/{file_id}/download?inline=1")
    assert body == PNG
    assert resp.headers["Content-Disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in resp.headers["Content-Security-Policy"]
    page = client.get(f"/p/acme-test/files/{file_id}").get_data(as_text=True)
    assert f"/p/acme-test/files/{file_id}/download?inline=1" in page


def test_a_renamed_elf_is_refused_with_a_clear_message(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    resp = chunked_upload(client, "acme-test", "holiday.png", ELF)
    assert resp.status_code == 422
    assert "Linux program" in resp.get_json()["errors"]["file"][0]
    assert db.exec(select(PortalFile).where(PortalFile.name == "holiday.png")).first() is None


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("run.pdf", b"#!/bin/sh\nrm -rf /\n", "script"),
        ("setup.docx", b"MZ\x90\x00" + b"\x00" * 100, "Windows program"),
        ("page.txt", b"<!DOCTYPE html><script>alert(1)</script>", "markup"),
        ("notes.sh", b"echo hello\n", ".sh"),
        # red-team #6: a BOM, a comment, an ordinary tag first; a shebang after spaces; a
        # trailing dot hiding the extension
        ("bom.txt", b"\xef\xbb\xbf<html><script>alert(1)</script>", "markup"),
        ("div.txt", b"<div>hello</div>", "markup"),
        ("comment.txt", b"<!-- hi -->\n<img src=x onerror=alert(1)>", "markup"),
        ("spaced.txt", b"   #!/bin/sh\nid\n", "script"),
        ("page.xhtml.", b"just text\n", ".xhtml"),
    ],
)
def test_programs_scripts_and_markup_are_refused(
    db, client, login, tenants, name, data, fragment
) -> None:
    login(tenants.acme_collab)
    resp = chunked_upload(client, "acme-test", name, data)
    assert resp.status_code == 422
    assert fragment in resp.get_json()["errors"]["file"][0]
    assert db.exec(select(PortalFile).where(PortalFile.name == name)).first() is None


def test_portal_allow_list_and_size_limit(db, client, login, tenants) -> None:
    portal = _portal(db, tenants.acme)
    portal.allowed_file_types = ["pdf"]
    portal.max_upload_mb = 1
    db.add(portal)
    db.flush()
    login(tenants.acme_collab)
    resp = chunked_upload(client, "acme-test", "photo.png", PNG)
    assert resp.status_code == 422 and "accepts pdf" in resp.get_json()["errors"]["file"][0]
    assert db.exec(select(PortalFile).where(PortalFile.name == "photo.png")).first() is None
    too_big = client.post(
        "/p/acme-test/files/uploads", json={"name": "big.pdf", "size": 2 * 1024 * 1024}
    )
    assert too_big.status_code == 422
    assert too_big.get_json()["code"] == "file_too_large"
    assert "1 MB" in too_big.get_json()["errors"]["file"][0]
    assert db.exec(select(UploadSession).where(UploadSession.name == "big.pdf")).first() is None


def test_stored_names_are_safe(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    done = chunked_upload(client, "acme-test", "../../etc/<b>x</b>.pdf", PDF)
    file = db.get(PortalFile, done.get_json()["file_id"])
    assert "/" not in file.name and "<" not in file.name and ".." not in file.name
    assert file.stored_key.startswith(f"c{tenants.acme.id}/") and "etc" not in file.stored_key


def test_resume_after_a_dropped_chunk_uses_the_server_offset(client, login, tenants) -> None:
    login(tenants.acme_collab)
    data = PDF + os.urandom(20_000)
    start = client.post("/p/acme-test/files/uploads", json={"name": "r.pdf", "size": len(data)})
    url = start.get_json()["url"]
    first = client.patch(url, data=data[:10_000], headers={"Upload-Offset": "0"})
    assert first.get_json()["offset"] == 10_000
    # the client lost the answer and retries from 0: told where to resume instead
    again = client.patch(url, data=data[:10_000], headers={"Upload-Offset": "0"})
    assert again.status_code == 409 and again.get_json()["errors"]["offset"] == ["10000"]
    status = client.get(url)
    assert status.get_json()["offset"] == 10_000 and status.headers["Upload-Offset"] == "10000"
    early = client.post(f"{url}/complete")
    assert early.status_code == 409
    rest = client.patch(url, data=data[10_000:], headers={"Upload-Offset": "10000"})
    assert rest.get_json()["offset"] == len(data)
    done = client.post(f"{url}/complete")
    resp, body = download(client, done.get_json()["url"] + "/download")
    assert body == data


def test_cancelled_upload_is_gone(client, login, tenants) -> None:
    login(tenants.acme_collab)
    start = client.post("/p/acme-test/files/uploads", json={"name": "c.pdf", "size": 100})
    url = start.get_json()["url"]
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_versions_keep_history(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    file_id = chunked_upload(client, "acme-test", "plan.pdf", PDF).get_json()["file_id"]
    v2 = PDF + b"v2"
    again = chunked_upload(client, "acme-test", "plan v2.pdf", v2, file_id=file_id)
    assert again.get_json()["file_id"] == file_id
    assert db.get(PortalFile, file_id).version == 2
    _, latest = download(client, f"/p/acme-test/files/{file_id}/download")
    _, first = download(client, f"/p/acme-test/files/{file_id}/download?version=1")
    assert latest == v2 and first == PDF
    page = client.get(f"/p/acme-test/files/{file_id}").get_data(as_text=True)
    assert "v1 · plan.pdf" in page and "v2 · plan v2.pdf" in page


def test_plain_form_upload_without_javascript(client, login, tenants) -> None:
    login(tenants.acme_collab)
    resp = client.post(
        "/p/acme-test/files/upload",
        data={"file": [(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(ELF), "b.png")]},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303
    page = client.get("/p/acme-test/files").get_data(as_text=True)
    assert ">a.pdf</a>" in page and ">b.png</a>" not in page
    assert "Linux program" in page  # the refusal is flashed


def test_linked_files_and_folders(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    assert client.post("/p/acme-test/files/folders", data={"name": "Contracts"}).status_code == 303
    page = client.get("/p/acme-test/files").get_data(as_text=True)
    folder_id = re.search(r"files\?folder=(\d+)", page).group(1)
    resp = client.post(
        "/p/acme-test/files/links",
        data={"url": "https://example.com/brief", "name": "Brief", "folder_id": folder_id},
    )
    assert resp.status_code == 303
    inside = client.get(f"/p/acme-test/files?folder={folder_id}").get_data(as_text=True)
    assert "Brief" in inside
    bad = client.post("/p/acme-test/files/links", data={"url": "javascript:alert(1)"})
    assert bad.status_code == 422
    assert (
        db.exec(select(PortalFile).where(PortalFile.linked_url == "javascript:alert(1)")).first()
        is None
    )
    again = client.post("/p/acme-test/files/folders", data={"name": "contracts"})
    assert again.status_code == 422 and "already here" in again.get_data(as_text=True)
    assert (
        len(db.exec(select(FileFolder).where(FileFolder.company_id == tenants.acme.id)).all()) == 1
    )


def test_search_sort_and_both_ways(client, login, tenants) -> None:
    login(tenants.acme_collab)
    for name in ("alpha.pdf", "beta.pdf"):
        chunked_upload(client, "acme-test", name, PDF)
    full, part = assert_both_ways(client, "/p/acme-test/files?q=alp&sort=name")
    assert "alpha.pdf" in part and "beta.pdf" not in part
    frag = client.get("/p/acme-test/files/list", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and b"<html" not in frag.data and b"beta.pdf" in frag.data
    assert client.get("/p/acme-test/files/list").status_code == 302


def _approval_world(db, client, login, tenants):
    login(tenants.acme_collab)
    done = chunked_upload(
        client, "acme-test", "needs-ok.pdf", PDF, approver_id=tenants.acme_admin.id
    )
    return done.get_json()["file_id"]


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("acme_collab", True),  # uploader
        ("acme_admin", True),  # approver
        ("staff_admin", True),
        ("pm", True),
        ("acme_viewer", False),
    ],
)
def test_pending_files_are_visible_only_to_uploader_approver_staff(
    db, client, login, tenants, who, sees
) -> None:
    file_id = _approval_world(db, client, login, tenants)
    login(getattr(tenants, who))
    page = client.get("/p/acme-test/files").get_data(as_text=True)
    assert ("needs-ok.pdf" in page) is sees
    resp, _ = download(client, f"/p/acme-test/files/{file_id}/download")
    assert resp.status_code == (200 if sees else 404)


def test_other_collaborator_does_not_see_pending(db, client, login, tenants, make_user) -> None:
    other = make_user(tenants.acme, "collaborator")
    _approval_world(db, client, login, tenants)
    login(other)
    assert "needs-ok.pdf" not in client.get("/p/acme-test/files").get_data(as_text=True)


def test_approve_and_reject_flow(db, client, login, tenants) -> None:
    file_id = _approval_world(db, client, login, tenants)
    note = db.exec(
        select(Notification).where(
            Notification.user_id == tenants.acme_admin.id,
            Notification.type == "file_approval_requested",
        )
    ).first()
    assert note is not None
    # the uploader may not approve their own file
    assert client.post(f"/p/acme-test/files/{file_id}/approve").status_code == 403
    assert db.get(PortalFile, file_id).approval_status == "pending"
    login(tenants.acme_admin)
    empty = client.post(f"/p/acme-test/files/{file_id}/reject", data={"note": " "})
    assert empty.status_code == 422 and "Say what needs to change" in empty.get_data(as_text=True)
    assert db.get(PortalFile, file_id).approval_status == "pending"
    assert not db.exec(
        select(ActivityLog).where(
            ActivityLog.object_id == file_id,
            col(ActivityLog.action).in_(["file_approved", "file_rejected"]),
        )
    ).all()
    rejected = client.post(f"/p/acme-test/files/{file_id}/reject", data={"note": "Wrong logo"})
    assert rejected.status_code == 303
    file = db.get(PortalFile, file_id)
    assert file.approval_status == "rejected" and file.rejection_note == "Wrong logo"
    assert file.approved_at is not None
    # rejected stays hidden from the viewer; a decided file can't be decided again
    assert client.post(f"/p/acme-test/files/{file_id}/approve").status_code == 409
    db.refresh(file)
    assert file.approval_status == "rejected"
    login(tenants.acme_viewer)
    assert "needs-ok.pdf" not in client.get("/p/acme-test/files").get_data(as_text=True)


def test_approved_file_becomes_visible_to_everyone(db, client, login, tenants) -> None:
    file_id = _approval_world(db, client, login, tenants)
    login(tenants.acme_admin)
    assert client.post(f"/p/acme-test/files/{file_id}/approve").status_code == 303
    login(tenants.acme_viewer)
    assert "needs-ok.pdf" in client.get("/p/acme-test/files").get_data(as_text=True)
    actions = db.exec(select(ActivityLog.action).where(ActivityLog.object_id == file_id)).all()
    assert {"file_uploaded", "file_approval_requested", "file_approved"} <= set(actions)


def test_delete_by_uploader_or_staff_only(db, client, login, tenants, make_user) -> None:
    login(tenants.acme_collab)
    file_id = chunked_upload(client, "acme-test", "gone.pdf", PDF).get_json()["file_id"]
    other = make_user(tenants.acme, "collaborator")
    login(other)
    assert client.post(f"/p/acme-test/files/{file_id}/delete").status_code == 403
    assert db.get(PortalFile, file_id).deleted_at is None
    login(tenants.acme_collab)
    assert client.post(f"/p/acme-test/files/{file_id}/delete").status_code == 303
    assert client.get(f"/p/acme-test/files/{file_id}").status_code == 404
    assert db.get(PortalFile, file_id).deleted_at is not None


def test_download_auth(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    file_id = chunked_upload(client, "acme-test", "secret.pdf", PDF).get_json()["file_id"]
    client.get("/logout")
    with client.session_transaction() as sess:
        sess.clear()
    anon = client.get(f"/p/acme-test/files/{file_id}/download")
    assert anon.status_code == 302 and "/login" in anon.headers["Location"]
    login(tenants.globex_admin)
    assert client.get(f"/p/acme-test/files/{file_id}/download").status_code == 404
    assert client.get(f"/p/globex-test/files/{file_id}/download").status_code == 404
    login(tenants.retail_admin)  # a child company never sees its parent's files
    assert client.get(f"/p/acme-test/files/{file_id}/download").status_code == 404


def test_download_log_is_staff_only(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    file_id = chunked_upload(client, "acme-test", "log.pdf", PDF).get_json()["file_id"]
    download(client, f"/p/acme-test/files/{file_id}/download")
    assert client.get("/p/acme-test/files/downloads").status_code == 403
    login(tenants.pm)
    full, part = assert_both_ways(client, "/p/acme-test/files/downloads")
    assert "log.pdf" in full and tenants.acme_collab.name in full


def test_request_links(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    assert client.get("/p/acme-test/files/requests").status_code == 403
    login(tenants.pm)
    created = client.post(
        "/p/acme-test/files/requests",
        data={"label": "Signed contracts", "expires_in_days": "3", "max_files": "2"},
    )
    assert created.status_code == 201
    url = re.search(r"http://[^<\s]+/u/[A-Za-z0-9_\-]+", created.get_data(as_text=True)).group(0)
    path = url.split("localhost", 1)[-1]
    client.get("/logout")
    with client.session_transaction() as sess:
        sess.clear()
    assert "Signed contracts" in client.get(path).get_data(as_text=True)
    sent = client.post(
        path,
        data={"file": [(io.BytesIO(PDF), "contract.pdf"), (io.BytesIO(ELF), "x.pdf")]},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 200
    body = sent.get_data(as_text=True)
    assert "1 file received" in body and "Linux program" in body
    file = db.exec(select(PortalFile).where(PortalFile.name == "contract.pdf")).one()
    assert file.approval_status == "pending" and file.approver_id == tenants.pm.id
    # invisible to the client until approved
    login(tenants.acme_collab)
    assert "contract.pdf" not in client.get("/p/acme-test/files").get_data(as_text=True)
    # second file uses up the link
    client.post(path, data={"file": [(io.BytesIO(PDF), "two.pdf")]})
    with client.session_transaction() as sess:
        sess.clear()
    assert client.get(path).status_code == 410
    assert client.get("/u/not-a-token").status_code == 404


def test_expired_and_revoked_links_refuse(db, client, login, tenants) -> None:
    login(tenants.pm)
    created = client.post("/p/acme-test/files/requests", data={"label": "Docs"})
    path = "/u/" + re.search(r"/u/([A-Za-z0-9_\-]+)", created.get_data(as_text=True)).group(1)
    link = db.exec(select(FileRequestLink).where(FileRequestLink.label == "Docs")).one()
    assert client.post(f"/p/acme-test/files/requests/{link.id}/revoke").status_code == 303
    assert client.get(path).status_code == 410
    db.refresh(link)
    link.revoked_at = None
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.add(link)
    db.flush()
    resp = client.post(path, data={"file": [(io.BytesIO(PDF), "late.pdf")]})
    assert resp.status_code == 410 and "expired" in resp.get_data(as_text=True)
    assert db.exec(select(PortalFile).where(PortalFile.name == "late.pdf")).first() is None
    db.refresh(link)
    assert link.uses == 0


def test_files_list_query_count_does_not_grow(db, client, login, tenants, count_queries) -> None:
    login(tenants.acme_collab)

    def add(n: int) -> None:
        for i in range(n):
            db.add(
                PortalFile(
                    company_id=tenants.acme.id,
                    name=f"bulk-{i}.pdf",
                    stored_key=f"c{tenants.acme.id}/bulk{i}",
                    size=10,
                    content_type="application/pdf",
                    approver_id=tenants.acme_admin.id,
                    approval_status="approved",
                    thumb_key=f"c{tenants.acme.id}/bulk{i}.thumb.jpg" if i % 2 else None,
                )
            )
        db.flush()

    add(3)
    client.get("/p/acme-test/files")
    with count_queries() as few:
        assert client.get("/p/acme-test/files").status_code == 200
    add(27)
    with count_queries() as many:
        page = client.get("/p/acme-test/files")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Page 1 of 2" in html
    # thumbnails and type icons cost no query of their own
    assert html.count('class="file-thumb"') >= 10 and html.count("file-icon") >= 10
    assert few.count == many.count <= 12, (few.count, many.count)


def test_staff_publish_from_the_file_page(db, client, login, tenants) -> None:
    login(tenants.acme_collab)
    file_id = chunked_upload(client, "acme-test", "share.pdf", PDF).get_json()["file_id"]
    assert "Publish to contacts" not in client.get(f"/p/acme-test/files/{file_id}").get_data(
        as_text=True
    )
    login(tenants.pm)
    resp = client.post(
        f"/p/acme-test/files/{file_id}/publish",
        data={"portal_publishing": "publish", "contact_notification": "do_not_notify"},
    )
    assert resp.status_code == 200
    assert "Published to 3 contact(s), notified 0." in resp.get_data(as_text=True)
    published = len(db.exec(select(FilePublication)).all())
    bad = client.post(
        f"/p/acme-test/files/{file_id}/publish",
        data={"portal_publishing": "shout", "contact_notification": "notify"},
    )
    assert bad.status_code == 422
    assert len(db.exec(select(FilePublication)).all()) == published
