"""Files over the JSON API (reference 003 shapes) and publish to portal (reference 001)."""

from __future__ import annotations

import hashlib
import io
import os

from sqlmodel import select

from portal.models import FilePublication, Notification, PortalFile
from tests.api.conftest import assert_envelope, bearer, portal_of

PDF = b"%PDF-1.7\n" + os.urandom(4000)


def upload(client, headers, portal_id, data=PDF, name="doc.pdf", **form):
    return client.post(
        f"/api/v1/portals/{portal_id}/files",
        data={"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_upload_list_download_round_trip(client, db, tenants, make_key) -> None:
    headers = bearer(make_key(tenants.acme))
    portal = portal_of(db, tenants.acme)
    created = upload(client, headers, portal.id)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["original"] == "doc.pdf" and body["type"] == "application/pdf"
    assert body["approval_status"] == "none" and body["size"] == len(PDF)
    listed = client.get(f"/api/v1/portals/{portal.id}/files", headers=headers).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    assert set(listed["items"][0]) >= {
        "name",
        "original",
        "size",
        "type",
        "url",
        "uploaded_by",
        "uploaded_at",
        "approval_status",
        "approver_id",
        "rejection_note",
        "approved_at",
    }
    resp = client.get(f"/api/v1/files/{body['id']}/download", headers=headers)
    data = resp.get_data()
    resp.close()
    assert hashlib.sha256(data).digest() == hashlib.sha256(PDF).digest()
    assert resp.headers["Content-Disposition"].startswith("attachment")


def test_anonymous_and_foreign_downloads_are_refused(client, db, tenants, make_key) -> None:
    portal = portal_of(db, tenants.acme)
    file_id = upload(client, bearer(make_key(tenants.acme)), portal.id).get_json()["id"]
    assert_envelope(client.get(f"/api/v1/files/{file_id}/download"), 401)
    foreign = bearer(make_key(tenants.globex))
    assert_envelope(client.get(f"/api/v1/files/{file_id}/download", headers=foreign), 404)
    assert_envelope(client.get(f"/api/v1/portals/{portal.id}/files", headers=foreign), 404)


def test_elf_is_refused_and_links_are_created(client, db, tenants, make_key) -> None:
    headers = bearer(make_key(tenants.acme))
    portal = portal_of(db, tenants.acme)
    bad = upload(client, headers, portal.id, data=b"\x7fELF" + os.urandom(100), name="a.png")
    assert "Linux program" in assert_envelope(bad, 422)["errors"]["file"][0]
    assert db.exec(select(PortalFile).where(PortalFile.name == "a.png")).first() is None
    link = client.post(
        f"/api/v1/portals/{portal.id}/files",
        json={"url": "https://example.com/x", "name": "Spec"},
        headers=headers,
    )
    assert link.status_code == 201 and link.get_json()["linked_url"] == "https://example.com/x"
    assert link.get_json()["type"] == "" and link.get_json()["size"] == 0


def test_approve_reject_delete(client, db, tenants, make_key) -> None:
    agency = bearer(make_key())
    portal = portal_of(db, tenants.acme)
    a = upload(client, agency, portal.id, approver_id=str(tenants.acme_admin.id)).get_json()
    assert a["approval_status"] == "pending" and a["approver_id"] == tenants.acme_admin.id
    b = upload(client, agency, portal.id, approver_id=str(tenants.acme_admin.id)).get_json()
    ok = client.post(f"/api/v1/files/{a['id']}/approve", headers=agency)
    assert ok.status_code == 200 and ok.get_json()["approval_status"] == "approved"
    assert_envelope(client.post(f"/api/v1/files/{a['id']}/approve", headers=agency), 409)
    assert_envelope(client.post(f"/api/v1/files/{b['id']}/reject", json={}, headers=agency), 422)
    assert db.get(PortalFile, b["id"]).approval_status == "pending"
    no = client.post(f"/api/v1/files/{b['id']}/reject", json={"note": "Blurry"}, headers=agency)
    assert no.get_json()["approval_status"] == "rejected"
    assert no.get_json()["rejection_note"] == "Blurry"
    assert client.delete(f"/api/v1/files/{a['id']}", headers=agency).status_code == 204
    assert_envelope(client.get(f"/api/v1/files/{a['id']}/download", headers=agency), 404)


def test_pending_files_hidden_from_company_key(client, db, tenants, make_key) -> None:
    portal = portal_of(db, tenants.acme)
    upload(client, bearer(make_key()), portal.id, approver_id=str(tenants.acme_admin.id))
    listed = client.get(
        f"/api/v1/portals/{portal.id}/files", headers=bearer(make_key(tenants.acme))
    ).get_json()
    assert listed["total"] == 0


def _files(db, company, n):
    ids = []
    for i in range(n):
        f = PortalFile(
            company_id=company.id,
            name=f"report-{i}.pdf",
            stored_key=f"c/{i}",
            size=1,
            content_type="application/pdf",
        )
        db.add(f)
        db.flush()
        ids.append(f.id)
    return ids


def test_publish_partial_failure_shape(client, db, tenants, make_key, make_user) -> None:
    agency = bearer(make_key())
    ids = _files(db, tenants.acme, 500)
    broken = make_user(tenants.acme, "viewer", email="nobody@mailer.invalid")
    body = {
        "data": {
            "type": "publish_portal_files_request",
            "attributes": {
                "files_id": ids[:-2] + [999_999_999, _files(db, tenants.globex, 1)[0]],
                "portal_publishing": "PUBLISH",
                "contact_notification": "Notify",
                "publish_override_contact_ids": [tenants.globex_admin.id, 424242],
            },
        }
    }
    resp = client.post("/api/v1/portal/publish_files", json=body, headers=agency)
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()["data"]
    assert len(data) == 500
    first = data[0]
    assert first["type"] == "publish_files_result" and first["id"] == str(ids[0])
    attrs = first["attributes"]
    assert attrs["publish_status"] == "fail" and attrs["notify_status"] == "fail"
    codes = {e["code"]: e["detail"] for e in attrs["error"]}
    assert (
        str(tenants.globex_admin.id) in codes["publish_failed"]
        and "424242" in codes["publish_failed"]
    )
    assert codes["notification_failed"] == f"Notification failed for contacts [{broken.id}]."
    for unknown in data[-2:]:
        assert unknown["attributes"]["publish_status"] == "fail"
        assert unknown["attributes"]["error"][0]["code"] == "publish_failed"
    published = db.exec(select(FilePublication).where(FilePublication.file_id == ids[0])).all()
    assert {p.user_id for p in published} >= {tenants.acme_admin.id, tenants.acme_collab.id}
    assert db.exec(
        select(Notification).where(
            Notification.user_id == tenants.acme_collab.id, Notification.type == "file_published"
        )
    ).first()


def test_publish_success_and_preferences(client, db, tenants, make_key) -> None:
    from portal.models import ContactPublishingPreference

    agency = bearer(make_key())
    [file_id] = _files(db, tenants.acme, 1)
    db.add(
        ContactPublishingPreference(user_id=tenants.acme_viewer.id, receive_published_files=False)
    )
    db.flush()
    resp = client.post(
        "/api/v1/portal/publish_files",
        json={
            "files_id": [file_id],
            "portal_publishing": "use_contact_preference",
            "contact_notification": "do_not_notify",
        },
        headers=agency,
    )
    attrs = resp.get_json()["data"][0]["attributes"]
    assert attrs == {"file_id": file_id, "notify_status": "success", "publish_status": "success"}
    users = {
        p.user_id
        for p in db.exec(select(FilePublication).where(FilePublication.file_id == file_id)).all()
    }
    assert tenants.acme_viewer.id not in users and tenants.acme_admin.id in users


def test_publish_bad_requests_and_scopes(client, db, tenants, make_key) -> None:
    agency = bearer(make_key())
    ok = {"files_id": [1], "portal_publishing": "publish", "contact_notification": "notify"}
    for broken in (
        {**ok, "files_id": []},
        {k: v for k, v in ok.items() if k != "portal_publishing"},
        {**ok, "contact_notification": "shout"},
        {**ok, "files_id": list(range(1, 502))},
    ):
        assert_envelope(
            client.post("/api/v1/portal/publish_files", json=broken, headers=agency), 400
        )
    no_scope = bearer(make_key(scopes=["files:write"]))
    assert_envelope(client.post("/api/v1/portal/publish_files", json=ok, headers=no_scope), 403)
    company = bearer(make_key(tenants.acme))
    assert_envelope(client.post("/api/v1/portal/publish_files", json=ok, headers=company), 403)
    assert db.exec(select(FilePublication)).first() is None
