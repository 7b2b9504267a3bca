"""portal.principal builds the Actor of keys and the worker without any HTTP request."""

from __future__ import annotations

import pytest

from portal.errors import BadRequest, Forbidden, NotFound
from portal.principal import actor_for_api_key, actor_for_worker, find_api_key, find_service_token
from services.accounts.tokens import create_api_key, create_service_token


def test_company_key_acts_as_the_company_admin_and_agency_key_as_staff(db, tenants) -> None:
    key, secret = create_api_key(db, name="acme", company_id=tenants.acme.id, scopes=["tasks:read"])
    assert find_api_key(db, secret) == key and find_api_key(db, "stoa_svc_x") is None
    actor = actor_for_api_key(db, key)
    assert actor.kind == "api_key" and actor.role == "admin" and not actor.is_staff
    assert actor.company_ids == {tenants.acme.id, tenants.retail.id}
    assert actor.scopes == {"tasks:read"} and key.last_used_at is not None  # shown at once
    agency, _ = create_api_key(db, name="agency")
    assert actor_for_api_key(db, agency).is_staff and actor_for_api_key(db, agency).sees_all


def test_worker_headers_narrow_never_widen(db, tenants) -> None:
    _, secret = create_service_token(db, name="worker")
    assert find_service_token(db, secret) is not None
    acme, retail, globex = tenants.acme.id, tenants.retail.id, tenants.globex.id
    actor = actor_for_worker(
        db,
        {
            "X-Portal-Company-Id": f" {acme} ",
            "X-Portal-User-Role": "Collaborator",
            "X-Portal-Group-Company-Ids": f"{retail},{globex}",
        },
    )
    assert actor.kind == "worker" and actor.role == "collaborator"
    assert actor.company_ids == {acme, retail}


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({}, BadRequest),
        ({"X-Portal-Company-Id": "abc"}, BadRequest),
        ({"X-Portal-Company-Id": "0"}, BadRequest),
        ({"X-Portal-Company-Id": str(2**31)}, BadRequest),
        ({"X-Portal-Company-Id": "999999"}, NotFound),
        ({"X-Portal-Company-Id": "{acme}", "X-Portal-User-Role": "owner"}, BadRequest),
        ({"X-Portal-Company-Id": "{acme}", "X-Portal-User-Id": "{globex_admin}"}, Forbidden),
        ({"X-Portal-Company-Id": "{acme}", "X-Portal-Group-Company-Ids": "1,two"}, BadRequest),
    ],
)
def test_bad_worker_headers_are_refused(db, tenants, headers, error) -> None:
    ids = {"acme": tenants.acme.id, "globex_admin": tenants.globex_admin.id}
    with pytest.raises(error):
        actor_for_worker(db, {k: v.format(**ids) for k, v in headers.items()})
