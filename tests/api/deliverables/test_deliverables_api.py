from __future__ import annotations

import hashlib
import io
from pathlib import Path
from urllib.parse import urlparse

from sqlmodel import func, select

from portal.models import ActivityLog, ApprovalReceipt, Deliverable, DeliverableVersion
from services import deliverables as service
from tests.api.conftest import assert_envelope, bearer, portal_of
from tests.factories.deliverables import PDF, actor, make_deliverable

FIELDS = {
    "id", "original", "url", "linked", "size", "type", "category", "uploaded_by", "uploaded_at",
    "status", "revisions_allowed", "revisions_used", "revision_note", "version_count",
    "approved_by", "approved_at",
}  # fmt: skip


def test_full_cycle_through_the_api(client, db, login, tenants, make_key) -> None:
    agency = bearer(make_key())
    company = bearer(make_key(tenants.acme))
    portal = portal_of(db, tenants.acme)

    resp = client.post(
        f"/api/v1/portals/{portal.id}/deliverables",
        data={"file": (io.BytesIO(PDF), "home.pdf"), "name": "Homepage", "revisions_allowed": "1"},
        headers=agency,
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert set(body) == FIELDS
    assert body["status"] == "pending" and body["size"] == len(PDF)
    assert body["type"] == "application/pdf" and body["linked"] is False
    assert "/deliverables/" in body["url"] and body["url"].endswith("/download")
    did = body["id"]

    assert (
        client.post(f"/api/v1/deliverables/{did}/submit", headers=agency).get_json()["status"]
        == "in_review"
    )
    assert_envelope(
        client.post(f"/api/v1/deliverables/{did}/submit", headers=agency), 409, "invalid_transition"
    )
    assert_envelope(
        client.post(f"/api/v1/deliverables/{did}/request-revision", json={}, headers=company),
        422,
        "validation_error",
    )
    d = db.get(Deliverable, did)
    assert (d.status, d.revisions_used) == ("in_review", 0)
    resp = client.post(
        f"/api/v1/deliverables/{did}/request-revision", json={"note": "Bigger"}, headers=company
    )
    assert resp.get_json()["status"] == "revision_requested"
    assert resp.get_json()["revision_note"] == "Bigger"

    resp = client.post(
        f"/api/v1/deliverables/{did}/versions",
        json={"url": "https://figma.com/file/v2", "note": "v2"},
        headers=agency,
    )
    assert resp.status_code == 201
    v2 = resp.get_json()
    assert v2["status"] == "in_review" and v2["version_count"] == 2 and v2["linked"] is True
    assert v2["url"] == "https://figma.com/file/v2"

    body = client.post(
        f"/api/v1/deliverables/{did}/request-revision", json={"note": "Again"}, headers=company
    )
    assert_envelope(body, 409, "revision_limit_reached")
    db.refresh(d)
    assert (d.status, d.revisions_used) == ("in_review", 1)
    extended = client.post(
        f"/api/v1/deliverables/{did}/extend-revisions", json={"extra": 1}, headers=agency
    ).get_json()
    assert extended["revisions_allowed"] == 2

    assert_envelope(
        client.post(
            f"/api/v1/deliverables/{did}/approve", json={"version_number": 1}, headers=company
        ),
        409,
        "version_changed",
    )
    assert db.exec(select(ApprovalReceipt)).first() is None
    login(tenants.acme_collab)  # a signed-in person approves (the receipt names them)
    resp = client.post(f"/api/v1/deliverables/{did}/approve", json={"version_number": 2})
    assert resp.status_code == 200, resp.get_json()
    approval = resp.get_json()
    assert approval["deliverable"]["status"] == "approved"
    assert approval["receipt"]["sha256"] == hashlib.sha256(b"https://figma.com/file/v2").hexdigest()
    assert approval["receipt"]["version_number"] == 2
    assert approval["deliverable"]["approved_by"] == tenants.acme_collab.id

    listing = client.get(f"/api/v1/portals/{portal.id}/deliverables", headers=company).get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == did
    actions = db.exec(
        select(ActivityLog.action).where(ActivityLog.object_id == did).order_by(ActivityLog.id)
    ).all()
    assert actions == [
        "deliverable_uploaded",
        "deliverable_in_review",
        "deliverable_revision_requested",
        "deliverable_linked",
        "deliverable_in_review",
        "deliverable_revisions_extended",
        "deliverable_approved",
    ]


def test_json_link_without_approval_has_null_approver(client, db, tenants, make_key) -> None:
    portal = portal_of(db, tenants.acme)
    resp = client.post(
        f"/api/v1/portals/{portal.id}/deliverables",
        json={"url": "https://example.com/report", "name": "Report", "require_approval": False},
        headers=bearer(make_key()),
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["status"] == "approved" and body["approved_by"] is None
    assert body["approved_at"] is None and body["type"] == "" and body["size"] == 0


def test_who_may_do_what(client, db, tenants, make_key) -> None:
    portal = portal_of(db, tenants.acme)
    d = make_deliverable(db, tenants.pm, tenants.acme)
    service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    company = bearer(make_key(tenants.acme))
    # a company key cannot create or submit; an agency key cannot approve for the client
    assert_envelope(
        client.post(
            f"/api/v1/portals/{portal.id}/deliverables",
            json={"url": "https://x.test/a"},
            headers=company,
        ),
        403,
    )
    assert_envelope(
        client.post(f"/api/v1/deliverables/{d.id}/approve", json={}, headers=bearer(make_key())),
        403,
    )
    read_only = bearer(make_key(tenants.acme, scopes=["deliverables:read"]))
    assert client.get(f"/api/v1/deliverables/{d.id}", headers=read_only).status_code == 200
    assert_envelope(
        client.post(f"/api/v1/deliverables/{d.id}/approve", json={}, headers=read_only),
        403,
        "insufficient_scope",
    )
    globex = bearer(make_key(tenants.globex))
    assert_envelope(client.get(f"/api/v1/deliverables/{d.id}", headers=globex), 404)
    assert_envelope(
        client.post(f"/api/v1/deliverables/{d.id}/approve", json={}, headers=globex), 404
    )
    assert_envelope(client.get(f"/api/v1/portals/{portal.id}/deliverables", headers=globex), 404)
    db.refresh(d)
    assert d.status == "in_review" and d.approved_by_id is None
    assert db.exec(select(func.count()).select_from(Deliverable)).one() == 1
    assert db.exec(select(ApprovalReceipt)).first() is None


def test_gated_versions_stay_hidden_from_clients(client, db, tenants, make_key) -> None:
    portal = portal_of(db, tenants.acme)
    d = make_deliverable(db, tenants.pm, tenants.acme, internal_gate=True)
    company = bearer(make_key(tenants.acme))
    assert (
        client.get(f"/api/v1/portals/{portal.id}/deliverables", headers=company).get_json()["total"]
        == 0
    )
    assert_envelope(client.get(f"/api/v1/deliverables/{d.id}", headers=company), 404)
    staff_view = client.get(
        f"/api/v1/portals/{portal.id}/deliverables", headers=bearer(make_key())
    ).get_json()
    assert staff_view["total"] == 1


def test_list_filters_and_query_count(client, db, tenants, make_key, count_queries) -> None:
    portal = portal_of(db, tenants.acme)
    key = bearer(make_key(tenants.acme))

    def measure() -> int:
        with count_queries() as q:
            resp = client.get(f"/api/v1/portals/{portal.id}/deliverables?limit=100", headers=key)
            assert resp.status_code == 200
        return q.count

    for i in range(3):
        make_deliverable(db, tenants.pm, tenants.acme, name=f"A{i}")
    few = measure()
    for i in range(27):
        make_deliverable(db, tenants.pm, tenants.acme, name=f"B{i}")
    assert measure() == few <= 12
    d = make_deliverable(db, tenants.pm, tenants.acme, name="Sent")
    service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    body = client.get(
        f"/api/v1/portals/{portal.id}/deliverables?status=in_review", headers=key
    ).get_json()
    assert [i["original"] for i in body["items"]] == ["Sent"]
    assert_envelope(
        client.get(f"/api/v1/portals/{portal.id}/deliverables?status=nope", headers=key), 422
    )


def test_multipart_without_file_is_422(client, db, tenants, make_key) -> None:
    portal = portal_of(db, tenants.acme)
    resp = client.post(
        f"/api/v1/portals/{portal.id}/deliverables",
        data={"name": "No file"},
        headers=bearer(make_key()),
        content_type="multipart/form-data",
    )
    body = assert_envelope(resp, 422)
    assert "file" in body["errors"]
    assert db.exec(select(Deliverable).where(Deliverable.name == "No file")).first() is None


def _stored_objects(app) -> set[str]:
    root = Path(urlparse(app.extensions["stoa_runtime"].settings.storage_url).path)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_a_renamed_executable_is_refused_like_in_files(app, client, db, tenants, make_key) -> None:
    """One upload pipeline: the API refuses what the Files API refuses, with the same message."""
    agency = bearer(make_key())
    portal = portal_of(db, tenants.acme)
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 2000
    d = make_deliverable(db, tenants.pm, tenants.acme)
    in_files = client.post(
        f"/api/v1/portals/{portal.id}/files",
        data={"file": (io.BytesIO(elf), "brief.pdf")},
        content_type="multipart/form-data",
        headers=agency,
    )
    message = assert_envelope(in_files, 422)["errors"]["file"][0]
    assert "Linux program" in message
    before = _stored_objects(app)
    activity = db.exec(select(func.count()).select_from(ActivityLog)).one()

    version = client.post(
        f"/api/v1/deliverables/{d.id}/versions",
        data={"file": (io.BytesIO(elf), "brief.pdf"), "note": "v2"},
        content_type="multipart/form-data",
        headers=agency,
    )
    assert assert_envelope(version, 422)["errors"]["file"] == [message]
    created = client.post(
        f"/api/v1/portals/{portal.id}/deliverables",
        data={"file": (io.BytesIO(elf), "brief.pdf"), "name": "Brief"},
        content_type="multipart/form-data",
        headers=agency,
    )
    assert assert_envelope(created, 422)["errors"]["file"] == [message]
    db.refresh(d)
    assert d.current_version == 1
    assert db.exec(select(func.count()).where(DeliverableVersion.deliverable_id == d.id)).one() == 1
    assert db.exec(select(Deliverable).where(Deliverable.name == "Brief")).first() is None
    assert db.exec(select(func.count()).select_from(ActivityLog)).one() == activity
    assert _stored_objects(app) == before  # no blob, not even a temporary one
