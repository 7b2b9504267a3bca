"""Reference 002's ``/groups`` (+ users): a board's user groups, in its shapes, messages and
status codes; another tenant's group is a 404."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_envelope, bearer, portal_of


@pytest.fixture
def keys(make_key, tenants):
    return {
        "acme": bearer(make_key(tenants.acme)),
        "globex": bearer(make_key(tenants.globex)),
        "agency": bearer(make_key()),
        "read_only": bearer(make_key(tenants.acme, scopes=["feedback:read"])),
    }


def _make(client, keys, key="acme", **body):
    return client.post("/api/v1/groups", json=body, headers=keys[key])


def test_groups_crud_in_002_shapes(client, db, tenants, keys) -> None:
    made = _make(client, keys, name="Beta testers", description="Early access").get_json()["data"]
    assert set(made) == {"id", "portal_id", "name", "description", "created_at", "updated_at"}
    assert isinstance(made["id"], str) and made["portal_id"] == portal_of(db, tenants.acme).id
    assert made["name"] == "Beta testers" and made["description"] == "Early access"
    # the agency names the portal
    agency = _make(
        client, keys, key="agency", name="Finance team", portal_id=portal_of(db, tenants.acme).id
    )
    assert agency.status_code == 200, agency.get_json()
    listed = client.get("/api/v1/groups", headers=keys["read_only"]).get_json()["data"]
    assert [g["name"] for g in listed] == ["Beta testers", "Finance team"]
    shown = client.get(f"/api/v1/groups/{made['id']}", headers=keys["acme"]).get_json()["data"]
    assert shown == made
    put = client.put(
        f"/api/v1/groups/{made['id']}", json={"description": None}, headers=keys["acme"]
    )
    assert put.get_json()["data"]["description"] is None
    assert put.get_json()["data"]["name"] == "Beta testers"
    patched = client.patch(
        f"/api/v1/groups/{made['id']}", json={"name": "Beta crew"}, headers=keys["acme"]
    )
    assert patched.get_json()["data"]["name"] == "Beta crew"
    gone = client.delete(f"/api/v1/groups/{made['id']}", headers=keys["acme"])
    assert gone.status_code == 200 and gone.get_json() == {"message": "Group deleted successfully"}
    assert_envelope(client.get(f"/api/v1/groups/{made['id']}", headers=keys["acme"]), 404)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": "beta testers"}, {"name": ["The name has already been taken."]}),
        ({"name": "x"}, {"name": ["The name must be at least 2 characters."]}),
        ({"name": "x" * 61}, {"name": ["The name may not be greater than 60 characters."]}),
        ({}, {"name": ["Field required"]}),
    ],
)
def test_group_validation(client, db, tenants, keys, body, errors) -> None:
    _make(client, keys, name="Beta testers")
    resp = _make(client, keys, **body)
    assert assert_envelope(resp, 422)["errors"] == errors


def test_rename_to_a_taken_name_is_422(client, db, tenants, keys) -> None:
    _make(client, keys, name="Beta testers")
    other = _make(client, keys, name="Admins").get_json()["data"]
    for method in (client.put, client.patch):
        resp = method(
            f"/api/v1/groups/{other['id']}", json={"name": "BETA TESTERS"}, headers=keys["acme"]
        )
        assert assert_envelope(resp, 422)["errors"] == {
            "name": ["The name has already been taken."]
        }


def test_group_users(client, db, tenants, keys) -> None:
    group = _make(client, keys, name="Beta testers").get_json()["data"]
    url = f"/api/v1/groups/{group['id']}/users"
    added = client.post(url, json={"user_id": tenants.acme_viewer.id}, headers=keys["acme"])
    assert added.get_json() == {"message": "User added to group successfully"}
    again = client.post(url, json={"user_id": tenants.acme_viewer.id}, headers=keys["acme"])
    assert assert_envelope(again, 422)["message"] == "User is already in the group"
    client.post(url, json={"user_id": tenants.acme_collab.id}, headers=keys["acme"])
    members = client.get(url, headers=keys["read_only"]).get_json()["data"]
    assert [m["id"] for m in members] == [str(tenants.acme_viewer.id), str(tenants.acme_collab.id)]
    assert {"email", "name", "role", "counter_votes", "counter_posts"} <= set(members[0])
    # a user of another board (and of another tenant) is not a member it can have
    for foreign in (tenants.globex_admin.id, tenants.retail_admin.id, 987_654_321):
        resp = client.post(url, json={"user_id": foreign}, headers=keys["acme"])
        assert assert_envelope(resp, 404)["message"] == "Group or User not found"
    removed = client.delete(url, json={"user_id": tenants.acme_viewer.id}, headers=keys["acme"])
    assert removed.get_json() == {"message": "User removed from group successfully"}
    not_in = client.delete(url, json={"user_id": tenants.acme_viewer.id}, headers=keys["acme"])
    assert assert_envelope(not_in, 422)["message"] == "User is not in the group"
    assert [m["id"] for m in client.get(url, headers=keys["acme"]).get_json()["data"]] == [
        str(tenants.acme_collab.id)
    ]
    missing = client.post(url, json={}, headers=keys["acme"])
    assert assert_envelope(missing, 422)["errors"] == {"user_id": ["Field required"]}


def test_another_tenants_group_is_404_and_scopes_hold(client, db, tenants, keys) -> None:
    group = _make(client, keys, name="Beta testers").get_json()["data"]
    url = f"/api/v1/groups/{group['id']}"
    for method, path, body in [
        (client.get, url, None),
        (client.put, url, {"name": "Hijacked"}),
        (client.patch, url, {"name": "Hijacked"}),
        (client.delete, url, None),
        (client.get, f"{url}/users", None),
        (client.post, f"{url}/users", {"user_id": tenants.globex_admin.id}),
        (client.delete, f"{url}/users", {"user_id": tenants.acme_viewer.id}),
    ]:
        assert_envelope(method(path, json=body, headers=keys["globex"]), 404)
    assert client.get("/api/v1/groups", headers=keys["globex"]).get_json()["data"] == []
    assert_envelope(_make(client, keys, key="read_only", name="Readers"), 403)
    assert client.get(url, headers=keys["acme"]).get_json()["data"]["name"] == "Beta testers"


def test_only_board_managers_see_groups_in_a_session(client, db, tenants, login) -> None:
    login(tenants.acme_viewer)
    assert_envelope(client.get("/api/v1/groups"), 403)
