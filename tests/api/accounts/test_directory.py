"""/api/v1/users and /api/v1/companies."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_envelope, bearer


def emails(resp) -> set[str]:
    assert resp.status_code == 200, resp.get_json()
    return {u["email"] for u in resp.get_json()["data"]}


def test_company_key_sees_its_users_agency_key_everyone(client, tenants, make_key) -> None:
    globex = emails(client.get("/api/v1/users?limit=100", headers=bearer(make_key(tenants.globex))))
    assert globex == {tenants.globex_admin.email}
    everyone = emails(client.get("/api/v1/users?limit=100", headers=bearer(make_key())))
    assert {tenants.globex_admin.email, tenants.acme_admin.email, tenants.pm.email} <= everyone


def test_user_filters(client, tenants, make_key) -> None:
    key = bearer(make_key())
    staff = emails(client.get("/api/v1/users?is_staff=true&limit=100", headers=key))
    assert tenants.pm.email in staff and tenants.acme_admin.email not in staff
    acme = emails(client.get(f"/api/v1/users?company_id={tenants.acme.id}", headers=key))
    assert acme == {tenants.acme_admin.email, tenants.acme_collab.email, tenants.acme_viewer.email}
    assert_envelope(client.get("/api/v1/users?is_staff=perhaps", headers=key), 422)
    assert_envelope(client.get("/api/v1/users?company_id=-3", headers=key), 422)


def test_user_object_and_find_by_email(client, tenants, make_key) -> None:
    key = bearer(make_key(tenants.acme))
    resp = client.get(
        f"/api/v1/users/find_by_email?email={tenants.acme_viewer.email.upper()}", headers=key
    )
    user = resp.get_json()["data"]
    assert user["id"] == str(tenants.acme_viewer.id) and user["role"] == "viewer"
    assert user["company_id"] == str(tenants.acme.id) and user["company"] == tenants.acme.name
    assert user["is_staff"] is False and "counter_votes" in user
    resp = client.get(
        f"/api/v1/users/find_by_email?email={tenants.globex_admin.email}", headers=key
    )
    assert_envelope(resp, 404)
    assert_envelope(client.get("/api/v1/users/find_by_email", headers=key), 422)
    assert_envelope(client.get(f"/api/v1/users/{tenants.globex_admin.id}", headers=key), 404)
    assert client.get(f"/api/v1/users/{tenants.retail_admin.id}", headers=key).status_code == 200


def test_users_need_the_scope(client, make_key) -> None:
    resp = client.get("/api/v1/users", headers=bearer(make_key(scopes=["portal:read"])))
    assert_envelope(resp, 403, "insufficient_scope")


def test_companies_are_staff_only(client, login, tenants, make_key) -> None:
    assert_envelope(client.get("/api/v1/companies", headers=bearer(make_key(tenants.acme))), 403)
    body = client.get("/api/v1/companies?limit=100", headers=bearer(make_key())).get_json()
    slugs = {c["slug"] for c in body["items"]}
    assert {tenants.acme.slug, tenants.retail.slug, tenants.globex.slug} <= slugs
    children = client.get(
        f"/api/v1/companies?parent_id={tenants.acme.id}", headers=bearer(make_key())
    ).get_json()
    assert [c["slug"] for c in children["items"]] == [tenants.retail.slug]
    assert children["items"][0]["parent_id"] == str(tenants.acme.id)
    login(tenants.pm)  # assigned to Acme: sees the Acme group only
    pm_slugs = {c["slug"] for c in client.get("/api/v1/companies").get_json()["items"]}
    assert pm_slugs == {tenants.acme.slug, tenants.retail.slug}
    assert_envelope(client.get(f"/api/v1/companies/{tenants.globex.id}"), 404)
    one = client.get(f"/api/v1/companies/{tenants.acme.id}").get_json()
    assert one["name"] == tenants.acme.name and one["portal_id"]


@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/companies"])
def test_list_query_counts_do_not_grow(
    client, make_company, make_user, make_key, count_queries, path
):
    key = bearer(make_key())
    counts = []
    for n in (3, 30):
        for _ in range(n - (3 if counts else 0)):
            make_user(make_company(), "admin")
        with count_queries() as q:
            assert client.get(f"{path}?limit=100", headers=key).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] <= 12, counts
