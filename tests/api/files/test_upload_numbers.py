"""Numbers no column can hold (10**30, 2**63) in upload and create bodies are 422, never a 500."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_envelope, bearer, portal_of

HUGE = (10**30, -(10**30), 2**63, str(10**30))


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", ["size", "approver_id", "folder_id", "file_id"])
def test_upload_start_refuses_huge_numbers(client, login, tenants, field, value) -> None:
    login(tenants.acme_admin)
    body = {"name": "report.pdf", "size": 10} | {field: value}
    resp = client.post(f"/p/{tenants.acme.slug}/files/uploads", json=body)
    assert resp.status_code == 422, resp.get_data(as_text=True)[:300]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("files", {"url": "https://example.test/a.pdf", "name": "a.pdf"}, "approver_id"),
        ("files", {"url": "https://example.test/a.pdf", "name": "a.pdf"}, "folder_id"),
        ("deliverables", {"url": "https://example.test/a.pdf", "name": "a"}, "revisions_allowed"),
        ("deliverables", {"url": "https://example.test/a.pdf", "name": "a"}, "category"),
    ],
)
def test_api_create_refuses_huge_numbers(
    client, db, tenants, make_key, path, body, field, value
) -> None:
    portal = portal_of(db, tenants.acme)
    resp = client.post(
        f"/api/v1/portals/{portal.id}/{path}",
        json=body | {field: value},
        headers=bearer(make_key()),
    )
    assert_envelope(resp, 422, "validation_error")


@pytest.mark.parametrize("body", [10**30, "text", [1, 2], True])
def test_upload_start_refuses_a_body_that_is_not_an_object(client, login, tenants, body) -> None:
    login(tenants.acme_admin)
    resp = client.post(f"/p/{tenants.acme.slug}/files/uploads", json=body)
    assert resp.status_code == 422, resp.get_data(as_text=True)[:300]
    assert resp.get_json()["errors"] == {"body": ["Send a JSON object."]}
