"""Action endpoints take an empty body, and a company API key approves as SPEC §7 says (it acts
as the client admin; the receipt names the key and the person who created it)."""

from __future__ import annotations

import pytest

from portal.models import ApprovalReceipt, Deliverable
from services import deliverables as service
from services.accounts.tokens import create_api_key
from tests.api.conftest import assert_envelope, bearer
from tests.factories.deliverables import actor, make_deliverable

EMPTY_BODIES = [
    {},  # no body, no content type
    {"data": b"", "content_type": "application/json"},
    {"data": b"", "content_type": "application/x-www-form-urlencoded"},
    {"json": {}},
]


@pytest.fixture
def in_review(db, tenants) -> Deliverable:
    d = make_deliverable(db, tenants.pm, tenants.acme)
    service.submit(db, actor=actor(db, tenants.pm), deliverable_id=d.id)
    return d


@pytest.mark.parametrize("empty", EMPTY_BODIES)
def test_approve_takes_an_empty_body(client, login, tenants, in_review, empty) -> None:
    login(tenants.acme_collab)
    resp = client.post(f"/api/v1/deliverables/{in_review.id}/approve", **empty)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["deliverable"]["status"] == "approved"


@pytest.mark.parametrize("empty", EMPTY_BODIES)
def test_an_empty_body_reports_the_missing_fields(client, login, tenants, in_review, empty) -> None:
    """Not "Input should be a valid dictionary": the field that is missing."""
    login(tenants.acme_collab)
    resp = client.post(f"/api/v1/deliverables/{in_review.id}/request-revision", **empty)
    body = assert_envelope(resp, 422, "validation_error")
    assert list(body["errors"]) == ["note"], body


def test_a_company_key_approves_and_the_receipt_names_it(client, db, tenants, in_review) -> None:
    key, secret = create_api_key(
        db, name="Acme CMS", company_id=tenants.acme.id, created_by_id=tenants.staff_admin.id
    )
    resp = client.post(f"/api/v1/deliverables/{in_review.id}/approve", headers=bearer(secret))
    assert resp.status_code == 200, resp.get_json()
    receipt = resp.get_json()["receipt"]
    assert receipt["approver_id"] is None
    assert "Acme CMS" in receipt["approver_name"] and key.prefix in receipt["approver_name"]
    assert tenants.staff_admin.display_name in receipt["approver_name"]
    assert receipt["approver_email"] == tenants.staff_admin.email
    stored = db.get(ApprovalReceipt, receipt["receipt_id"])
    assert stored.approver_name == receipt["approver_name"]
    db.refresh(in_review)
    assert in_review.status == "approved" and in_review.approved_by_id is None


def test_an_agency_key_still_cannot_approve(client, db, in_review, make_key) -> None:
    resp = client.post(f"/api/v1/deliverables/{in_review.id}/approve", headers=bearer(make_key()))
    assert_envelope(resp, 403)


def test_the_api_docs_say_so(client) -> None:
    doc = client.get("/api/openapi.json").get_json()
    approve = doc["paths"]["/api/v1/deliverables/{deliverable_id}/approve"]["post"]
    assert approve["requestBody"]["required"] is False
    assert "company API key" in approve["description"]
    page = client.get("/api/docs").get_data(as_text=True)
    assert "company API key" in page
