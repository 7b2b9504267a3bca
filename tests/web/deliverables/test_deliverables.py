from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from markupsafe import escape
from sqlmodel import func, select

from portal.errors import Invalid
from portal.models import (
    ActivityLog,
    ApprovalReceipt,
    Deliverable,
    DeliverableCategory,
    DeliverableVersion,
)
from portal.models.deliverable import VersionCreate
from services import deliverables as service
from tests.conftest import assert_both_ways
from tests.factories.deliverables import PDF, actor, approved_with_receipt, make_deliverable

BASE = "/p/acme-test/deliverables"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 2000


def _stored_objects(app) -> set[str]:
    """Every object in storage, temporary ones included."""
    root = Path(urlparse(app.extensions["stoa_runtime"].settings.storage_url).path)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _files_refusal(client, name: str, data: bytes) -> str:
    """What the Files tab answers for this upload (the chunked protocol's 422 message)."""
    start = client.post("/p/acme-test/files/uploads", json={"name": name, "size": len(data)})
    url = start.get_json()["url"]
    client.patch(url, data=data, headers={"Upload-Offset": "0"})
    done = client.post(f"{url}/complete")
    assert done.status_code == 422
    return done.get_json()["errors"]["file"][0]


def _version(db, d, number=None) -> DeliverableVersion:
    return db.exec(
        select(DeliverableVersion).where(
            DeliverableVersion.deliverable_id == d.id,
            DeliverableVersion.number == (number or d.current_version),
        )
    ).one()


def test_list_and_detail_render_both_ways(client, login, db, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme, name="Brand book")
    service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    login(tenants.acme_collab)
    full, part = assert_both_ways(client, BASE)
    assert "Brand book" in part and "Waiting for you" in part
    assert "<title>Deliverables" in part
    full, part = assert_both_ways(client, f"{BASE}/{d.id}")
    assert "Approve version 1" in part and "Request revision" in part
    login(tenants.pm)
    full, part = assert_both_ways(client, BASE)
    assert "New deliverable" in part and "Waiting for you" not in part
    _, part = assert_both_ways(client, f"{BASE}/{d.id}")
    assert "Upload version 2" in part and "Approve version 1" not in part


def test_list_filters_searches_and_pages(client, login, db, tenants) -> None:
    pm = actor(db, tenants.pm)
    for i in range(23):
        d = make_deliverable(db, tenants.pm, tenants.acme, name=f"Banner {i:02d}")
    service.submit(db, actor=pm, deliverable_id=d.id)
    make_deliverable(db, tenants.pm, tenants.acme, name="Logo concepts")
    login(tenants.acme_admin)
    page = client.get(f"{BASE}?status=in_review").get_data(as_text=True)
    assert "Banner 22" in page and "Banner 21" not in page
    page = client.get(f"{BASE}?q=logo").get_data(as_text=True)
    assert "Logo concepts" in page and "Banner 01" not in page
    first = client.get(BASE).get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = client.get(f"{BASE}?page=2").get_data(as_text=True)
    assert "Banner 00" in second and "Banner 00" not in first


def test_list_query_count_does_not_grow(client, login, db, tenants, count_queries) -> None:
    login(tenants.acme_collab)

    def measure() -> int:
        with count_queries() as q:
            assert client.get(BASE, headers={"HX-Request": "true"}).status_code == 200
        return q.count

    for i in range(3):
        make_deliverable(db, tenants.pm, tenants.acme, name=f"D{i}")
    few = measure()
    for i in range(27):
        make_deliverable(db, tenants.pm, tenants.acme, name=f"E{i}")
    assert measure() == few <= 12
    login(tenants.pm)
    with count_queries() as q:
        assert client.get(BASE).status_code == 200
    assert q.count <= 12


def test_full_cycle_over_http(client, login, db, tenants) -> None:
    login(tenants.pm)
    resp = client.post(
        BASE,
        data={
            "name": "Homepage",
            "file": (io.BytesIO(PDF), "home.pdf"),
            "require_approval": "on",
            "revisions_allowed": "2",
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303
    d = db.exec(select(Deliverable).where(Deliverable.name == "Homepage")).one()
    assert resp.headers["Location"].endswith(f"{BASE}/{d.id}")
    assert (
        client.post(f"{BASE}/{d.id}/submit", headers={"HX-Request": "true"})
        .headers["HX-Redirect"]
        .endswith(f"/{d.id}")
    )

    login(tenants.acme_collab)
    resp = client.post(f"{BASE}/{d.id}/request-revision", data={"note": ""})
    assert resp.status_code == 422 and "Say what should change." in resp.get_data(as_text=True)
    db.refresh(d)
    assert (d.status, d.revisions_used) == ("in_review", 0)
    resp = client.post(
        f"{BASE}/{d.id}/request-revision",
        data={"note": "Darker blue please"},
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 204 and "HX-Redirect" in resp.headers

    login(tenants.pm)
    page = client.get(f"{BASE}/{d.id}").get_data(as_text=True)
    assert "Darker blue please" in page
    resp = client.post(
        f"{BASE}/{d.id}/versions",
        data={"file": (io.BytesIO(PDF + b"v2"), "home-v2.pdf"), "note": "Darker blue"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303

    login(tenants.acme_collab)
    resp = client.post(
        f"{BASE}/{d.id}/approve",
        data={"version_number": "2"},
        headers={"User-Agent": "pytest-browser"},
        environ_base={"REMOTE_ADDR": "192.0.2.55"},
    )
    assert resp.status_code == 303
    page = client.get(f"{BASE}/{d.id}").get_data(as_text=True)
    assert "Approved by" in page and "Receipt (JSON)" in page
    db.refresh(d)
    assert d.status == "approved" and d.approved_by_id == tenants.acme_collab.id
    actions = db.exec(
        select(ActivityLog.action).where(ActivityLog.object_id == d.id).order_by(ActivityLog.id)
    ).all()
    assert actions == [
        "deliverable_uploaded",
        "deliverable_in_review",
        "deliverable_revision_requested",
        "deliverable_uploaded",
        "deliverable_in_review",
        "deliverable_approved",
    ]


def test_receipt_downloads(client, login, db, tenants) -> None:
    d, receipt = approved_with_receipt(db, tenants.pm, tenants.acme_collab, tenants.acme)
    login(tenants.acme_viewer)  # anyone in the portal may fetch the proof
    resp = client.get(f"{BASE}/{d.id}/receipts/{receipt.id}")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    data = json.loads(resp.data)
    assert data["sha256"] == _version(db, d, 1).sha256
    assert (
        data["ip_address"] == "203.0.113.7" and data["approver_email"] == tenants.acme_collab.email
    )
    text = client.get(f"{BASE}/{d.id}/receipts/{receipt.id}?format=txt").get_data(as_text=True)
    assert f"sha256: {data['sha256']}" in text


def test_revision_limit_over_http_and_the_pm_extension(client, login, db, tenants) -> None:
    pm = actor(db, tenants.pm)
    d = make_deliverable(db, tenants.pm, tenants.acme, revisions_allowed=0)
    service.submit(db, actor=pm, deliverable_id=d.id)
    login(tenants.acme_collab)
    page = client.get(f"{BASE}/{d.id}").get_data(as_text=True)
    assert "revision rounds are used" in page and "Request revision" not in page
    resp = client.post(f"{BASE}/{d.id}/request-revision", data={"note": "One more"})
    assert resp.status_code == 409 and "ask your project manager" in resp.get_data(as_text=True)
    assert client.post(f"{BASE}/{d.id}/extend", data={"extra": "1"}).status_code == 403
    db.refresh(d)
    assert (d.status, d.revisions_used, d.revisions_allowed) == ("in_review", 0, 0)
    login(tenants.pm)
    assert client.post(f"{BASE}/{d.id}/extend", data={"extra": "0"}).status_code == 422
    db.refresh(d)
    assert d.revisions_allowed == 0
    assert client.post(f"{BASE}/{d.id}/extend", data={"extra": "2"}).status_code == 303
    login(tenants.acme_collab)
    resp = client.post(f"{BASE}/{d.id}/request-revision", data={"note": "One more"})
    assert resp.status_code == 303


def test_downloads_are_authenticated_and_typed_by_content(client, login, db, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme)
    v = _version(db, d)
    url = f"{BASE}/{d.id}/versions/{v.id}/download"
    assert client.get(url).status_code in {302, 401}  # signed out: to the login page
    login(tenants.acme_viewer)
    resp = client.get(url)
    assert resp.status_code == 200 and resp.data == PDF
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert client.get(url + "?inline=1").headers["Content-Disposition"].startswith("inline")

    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "private, no-store"

    from tests.factories.deliverables import pdf

    # a type that is not safe to show is never inline, whatever the link asks
    archive = make_deliverable(
        db, tenants.pm, tenants.acme, upload=pdf(b"PK\x03\x04" + b"\x00" * 40, "a.pdf")
    )
    av = _version(db, archive)
    resp = client.get(f"{BASE}/{archive.id}/versions/{av.id}/download?inline=1")
    assert resp.headers["Content-Type"] == "application/zip"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in resp.headers["Content-Security-Policy"]
    # markup is not stored at all (the Files pipeline refuses it)
    with pytest.raises(Invalid) as refused:
        make_deliverable(
            db, tenants.pm, tenants.acme, upload=pdf(b"<html><script>x</script>", "b.pdf")
        )
    assert "markup" in refused.value.errors["file"][0]


def test_a_renamed_executable_is_refused_like_in_files(app, client, login, db, tenants) -> None:
    """One upload pipeline: a version goes through the Files checks, refusal message included."""
    d = make_deliverable(db, tenants.pm, tenants.acme)
    login(tenants.pm)
    message = _files_refusal(client, "brief.pdf", ELF)
    assert "Linux program" in message
    before = _stored_objects(app)
    activity = db.exec(select(func.count()).select_from(ActivityLog)).one()

    resp = client.post(
        f"{BASE}/{d.id}/versions",
        data={"file": (io.BytesIO(ELF), "brief.pdf"), "note": "v2"},
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 422
    assert str(escape(message)) in resp.get_data(as_text=True)
    db.refresh(d)
    assert (d.current_version, d.status) == (1, "pending")
    versions = db.exec(select(func.count()).where(DeliverableVersion.deliverable_id == d.id)).one()
    assert versions == 1

    created = client.post(
        BASE,
        data={"name": "Brief", "file": (io.BytesIO(ELF), "brief.pdf")},
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
    )
    assert created.status_code == 422
    assert str(escape(message)) in created.get_data(as_text=True)
    assert db.exec(select(Deliverable).where(Deliverable.name == "Brief")).first() is None
    assert db.exec(select(func.count()).select_from(ActivityLog)).one() == activity
    assert _stored_objects(app) == before  # no blob, not even a temporary one


def test_internal_gate_over_http(client, login, db, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme, name="Secret draft", internal_gate=True)
    v = _version(db, d)
    login(tenants.acme_admin)
    assert "Secret draft" not in client.get(BASE).get_data(as_text=True)
    assert client.get(f"{BASE}/{d.id}").status_code == 404
    assert client.get(f"{BASE}/{d.id}/versions/{v.id}/download").status_code == 404
    login(tenants.pm)
    page = client.get(f"{BASE}/{d.id}").get_data(as_text=True)
    assert "Approve version 1 internally" in page
    assert client.post(f"{BASE}/{d.id}/submit").status_code == 409
    db.refresh(d)
    assert d.status == "pending"
    assert client.post(f"{BASE}/{d.id}/versions/{v.id}/release").status_code == 303
    assert client.post(f"{BASE}/{d.id}/submit").status_code == 303
    login(tenants.acme_admin)
    assert client.get(f"{BASE}/{d.id}").status_code == 200


def test_no_approval_deliverable_page(client, login, db, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme, name="FYI", require_approval=False)
    login(tenants.acme_collab)
    page = client.get(f"{BASE}/{d.id}").get_data(as_text=True)
    assert "No approval needed" in page and "Approve version" not in page


@pytest.mark.parametrize("who", ["acme_collab", "acme_admin"])
def test_clients_cannot_create_or_manage(client, login, db, tenants, who) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme)
    login(getattr(tenants, who))
    assert client.post(BASE, data={"name": "x", "url": "https://x.test"}).status_code == 403
    assert client.post(f"{BASE}/{d.id}/submit").status_code == 403
    assert "New deliverable" not in client.get(BASE).get_data(as_text=True)
    assert db.exec(select(Deliverable).where(Deliverable.name == "x")).first() is None
    db.refresh(d)
    assert d.status == "pending"


def test_viewer_sees_but_cannot_review(client, login, db, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme)
    service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    login(tenants.acme_viewer)
    page = client.get(f"{BASE}/{d.id}").get_data(as_text=True)
    assert d.name in page and "Approve version" not in page
    assert "Waiting for you" not in client.get(BASE).get_data(as_text=True)
    assert client.post(f"{BASE}/{d.id}/approve").status_code == 403
    db.refresh(d)
    assert d.status == "in_review" and d.approved_by_id is None
    assert (
        db.exec(select(ApprovalReceipt).where(ApprovalReceipt.deliverable_id == d.id)).first()
        is None
    )


def test_deliverable_of_another_portal_is_404_here(client, login, db, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.retail)
    login(tenants.acme_admin)  # sees the child company, but not through the parent's portal URL
    assert client.get(f"{BASE}/{d.id}").status_code == 404
    assert client.get(f"/p/{tenants.retail.slug}/deliverables/{d.id}").status_code == 200


def test_create_form_errors_are_422(client, login, db, tenants) -> None:
    login(tenants.pm)
    resp = client.post(BASE, data={"name": "", "url": "ftp://nope"}, headers={"HX-Request": "true"})
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert "Enter a full http(s) link." in body and "<html" not in body
    assert db.exec(select(func.count()).select_from(Deliverable)).one() == 0


def test_approvals_queue_page(client, login, db, tenants) -> None:
    d = make_deliverable(db, tenants.pm, tenants.acme, name="Needs sending")
    make_deliverable(db, tenants.staff_admin, tenants.globex, name="Globex thing")
    login(tenants.pm)
    full, part = assert_both_ways(client, "/admin/approvals")
    assert "Needs sending" in part and "Send for review" in part and "Globex thing" not in part
    assert f"/p/acme-test/deliverables/{d.id}" in part
    login(tenants.acme_admin)
    assert client.get("/admin/approvals").status_code == 404


def test_deliverable_settings_page(client, login, db, tenants) -> None:
    login(tenants.staff_admin)
    assert_both_ways(client, "/admin/deliverables/settings")
    url = "/admin/deliverables/settings"
    form = {"form": "category", "slug": "video", "name": "Video", "revisions_allowed": "4"}
    assert client.post(url, data=form).status_code == 303
    resp = client.post(url, data={"form": "category", "slug": "Bad Slug!", "name": "x"})
    assert resp.status_code == 422 and "lowercase" in resp.get_data(as_text=True)
    assert (
        db.exec(select(DeliverableCategory).where(DeliverableCategory.name == "x")).first() is None
    )
    assert (
        client.post(url, data={"form": "default", "default_revisions_allowed": "5"}).status_code
        == 303
    )
    assert make_deliverable(db, tenants.pm, tenants.acme, category="video").revisions_allowed == 4
    assert make_deliverable(db, tenants.pm, tenants.acme).revisions_allowed == 5
    login(tenants.pm)  # PMs read the settings but only admins change them
    assert client.get(url).status_code == 200
    assert (
        client.post(url, data={"form": "default", "default_revisions_allowed": "1"}).status_code
        == 403
    )
    assert make_deliverable(db, tenants.pm, tenants.acme).revisions_allowed == 5
    login(tenants.acme_admin)
    assert client.get(url).status_code == 404


def test_queue_and_detail_query_counts_do_not_grow(
    client, login, db, tenants, count_queries
) -> None:
    login(tenants.pm)

    def measure(url: str) -> int:
        with count_queries() as q:
            assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
        return q.count

    first = make_deliverable(db, tenants.pm, tenants.acme, name="Q0")
    for i in range(2):
        make_deliverable(db, tenants.pm, tenants.acme, name=f"Q{i + 1}")
    queue_few, detail_few = measure("/admin/approvals"), measure(f"{BASE}/{first.id}")
    pm = actor(db, tenants.pm)
    for i in range(27):
        make_deliverable(db, tenants.pm, tenants.acme, name=f"R{i}")
        service.add_version(
            db, actor=pm, deliverable_id=first.id, data=VersionCreate(url=f"https://x.test/{i}")
        )
    assert measure("/admin/approvals") == queue_few <= 12
    assert measure(f"{BASE}/{first.id}") == detail_few <= 12


def test_internal_gate_steps_stay_out_of_client_activity(client, login, db, tenants) -> None:
    """A gated deliverable the client cannot see yet must not show up in its activity either."""
    d = make_deliverable(db, tenants.pm, tenants.acme, name="Secret draft", internal_gate=True)
    v = _version(db, d)
    login(tenants.acme_admin)
    assert "Secret draft" not in client.get("/p/acme-test/dashboard").get_data(as_text=True)
    assert "Secret draft" not in client.get("/p/acme-test/activity").get_data(as_text=True)
    login(tenants.pm)
    assert "Secret draft" in client.get("/p/acme-test/activity").get_data(as_text=True)
    client.post(f"{BASE}/{d.id}/versions/{v.id}/release")
    client.post(f"{BASE}/{d.id}/submit")
    login(tenants.acme_admin)
    feed = client.get("/p/acme-test/activity").get_data(as_text=True)
    assert "Secret draft" in feed and "released version" not in feed  # the review request shows
    page = client.get(f"{BASE}/{d.id}").get_data(as_text=True)
    assert "released version" not in page
