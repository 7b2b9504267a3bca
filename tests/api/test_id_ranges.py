"""Ids that cannot exist (beyond a 32-bit integer) are validation errors, never a database error.

schemathesis found POST /api/portal/notes answering 500 on PostgreSQL for resourceId 8148133778.
"""

from __future__ import annotations

import pytest

from services.accounts.tokens import create_service_token


@pytest.fixture
def worker_headers(db, tenants):
    _, token = create_service_token(db, name="ids")
    return {
        "Authorization": f"Bearer {token}",
        "X-Portal-Company-Id": str(tenants.acme.id),
        "X-Portal-User-Role": "admin",
        "X-Portal-User-Id": str(tenants.acme_admin.id),
    }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/portal/notes",
            {"resourceType": "project", "resourceId": "8148133778", "content": "x"},
        ),
        (
            "/api/portal/notes",
            {
                "resourceType": "project",
                "resourceId": "1",
                "content": "x",
                "parentId": "9999999999",
            },
        ),
        ("/api/portal/requests", {"title": "Help", "projectId": "999999999999"}),
    ],
)
def test_out_of_range_ids_are_422(client, worker_headers, path, body) -> None:
    resp = client.post(path, json=body, headers=worker_headers)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["code"] == "validation_error"


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path",
    ["/api/v1/portals/8589934591/budgets", "/api/v1/portals/8589934591/invoices"],
)
def test_a_path_id_beyond_any_row_is_404_for_every_method(client, path, method) -> None:
    """Werkzeug answered 405 (naming the other method of the same path) when the converter
    refused the id for one method's rule: an id-shaped number beyond the range names no row."""
    resp = client.open(path, method=method, json={})
    assert resp.status_code in (401, 404, 405), resp.status_code
    if resp.status_code == 405:
        # only a method no rule of this path has may be 405, never one that the path serves
        assert method not in ("GET", "POST"), (method, resp.status_code)
