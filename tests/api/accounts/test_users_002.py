"""``/api/v1/users`` with reference 002's board-member fields: one resource for every person,
one list shape (``data`` with SPEC §7's paging and 002's ``skip``), create / update / delete with
002's validation messages, counters that count."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import EmailOutbox, User
from tests.api.conftest import assert_envelope, bearer
from tests.factories.feedback import make_comment, make_post

BOARD_FIELDS = {
    "counter_votes",
    "counter_comments",
    "counter_posts",
    "counter_comment_votes",
    "is_blocked",
    "verified",
    "admin_accepted",
    "sso_uid",
    "sso_avatar_url",
    "company",
    *{f"segment_{i}" for i in range(1, 11)},
    "segment_mrr",
    "segment_arr",
    "segment_ltv",
    "email_unsubscribed_at",
}


@pytest.fixture
def keys(make_key, tenants):
    return {
        "acme": bearer(make_key(tenants.acme)),
        "globex": bearer(make_key(tenants.globex)),
        "agency": bearer(make_key()),
        "read_only": bearer(make_key(tenants.acme, scopes=["users:read"])),
    }


def test_list_is_data_with_paging_and_skip(client, tenants, keys) -> None:
    first = client.get("/api/v1/users?limit=2", headers=keys["acme"]).get_json()
    assert set(first) == {"data", "limit", "offset", "skip", "total", "hasMore"}
    assert first["limit"] == 2 and first["skip"] == 0 and first["hasMore"] is True
    assert BOARD_FIELDS <= set(first["data"][0])
    skipped = client.get("/api/v1/users?limit=2&skip=2", headers=keys["acme"]).get_json()
    assert skipped["offset"] == skipped["skip"] == 2
    ids = [u["id"] for u in first["data"]] + [u["id"] for u in skipped["data"]]
    assert len(set(ids)) == len(ids) == min(4, first["total"])
    assert_envelope(client.get("/api/v1/users?skip=-1", headers=keys["acme"]), 422)


def test_counters_count_the_users_feedback(client, db, tenants, keys) -> None:
    post = make_post(db, tenants.acme_collab, tenants.acme, "Dark mode")
    make_comment(db, tenants.acme_collab, tenants.acme, post, "Please")
    make_comment(db, tenants.acme_collab, tenants.acme, post, "Soon?")
    client.post(f"/api/v1/posts/{post.key}/votes/{tenants.acme_admin.id}", headers=keys["acme"])
    collab = client.get(f"/api/v1/users/{tenants.acme_collab.id}", headers=keys["acme"])
    data = collab.get_json()["data"]
    assert (data["counter_posts"], data["counter_comments"]) == (1, 2)
    admin = client.get(f"/api/v1/users/{tenants.acme_admin.id}", headers=keys["acme"])
    assert admin.get_json()["data"]["counter_votes"] == 1


def test_create_with_a_password_or_by_email(client, db, tenants, keys) -> None:
    made = client.post(
        "/api/v1/users",
        json={
            "email": "New.Person@Acme.test",
            "role": "member",
            "password": "a long enough secret 42",
            "segment_1": "enterprise",
            "segment_mrr": 1250.5,
            "admin_accepted": "1",
            "company": "ignored: the user's company is the key's",
        },
        headers=keys["acme"],
    )
    assert made.status_code == 200, made.get_json()
    user = made.get_json()["data"]
    assert user["email"] == "new.person@acme.test" and user["role"] == "collaborator"
    assert user["segment_1"] == "enterprise" and user["segment_mrr"] == "1250.50"
    assert user["admin_accepted"] is True and user["verified"] is True
    assert user["company"] == tenants.acme.name and user["name"] == "new.person"
    again = client.post(
        "/api/v1/users",
        json={"email": "new.person@acme.test", "role": "admin"},
        headers=keys["acme"],
    )
    assert assert_envelope(again, 422)["message"] == "User already exists"

    invited = client.post(
        "/api/v1/users",
        json={"email": "later@acme.test", "role": "admin", "invitation_message": "Welcome!"},
        headers=keys["acme"],
    ).get_json()["data"]
    assert invited["verified"] is False and invited["role"] == "admin"
    mail = db.exec(select(EmailOutbox).where(EmailOutbox.to_email == "later@acme.test")).one()
    assert "Welcome!" in mail.body_text and "/login" in mail.body_text
    client.post(
        "/api/v1/users",
        json={"email": "quiet@acme.test", "role": "member", "skip_email": "1"},
        headers=keys["acme"],
    )
    quiet = select(EmailOutbox).where(EmailOutbox.to_email == "quiet@acme.test")
    assert db.exec(quiet).first() is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"email": "x@acme.test", "role": "owner"}, "role", "The selected role is invalid."),
        ({"email": "x@acme.test"}, "role", "Field required"),
        ({"email": "x@acme.test", "role": "member", "segment_3": "s" * 256}, "segment_3", None),
        ({"email": "x@acme.test", "role": "member", "name": "n" * 101}, "name", None),
        ({"email": "x@acme.test", "role": "member", "password": "short"}, "password", None),
        ({"email": "x@acme.test", "role": "member", "is_blocked": "perhaps"}, "is_blocked", None),
        (
            {"email": "x@acme.test", "role": "member", "sso_avatar_url": "nope"},
            "sso_avatar_url",
            "The sso avatar url must be a valid URL.",
        ),
        ({"email": "x@acme.test", "role": "member", "segment_ltv": "lots"}, "segment_ltv", None),
        ({"email": "not an email", "role": "member"}, "email", None),
    ],
)
def test_create_validation_is_422_per_field(client, keys, body, field, message) -> None:
    errors = assert_envelope(client.post("/api/v1/users", json=body, headers=keys["acme"]), 422)
    assert field in errors["errors"], errors
    if message:
        assert errors["errors"][field] == [message]


def test_update_put_and_patch(client, db, tenants, keys) -> None:
    url = f"/api/v1/users/{tenants.acme_viewer.id}"
    put = client.put(
        url, json={"role": "member", "segment_2": "beta", "name": None}, headers=keys["acme"]
    )
    assert put.status_code == 200, put.get_json()
    data = put.get_json()["data"]
    assert data["role"] == "collaborator" and data["segment_2"] == "beta"
    assert data["name"] == tenants.acme_viewer.display_name  # null keeps the value
    patched = client.patch(
        url, json={"segment_2": None, "is_blocked": True}, headers=keys["acme"]
    ).get_json()["data"]
    assert patched["segment_2"] is None and patched["is_blocked"] is True
    taken = client.patch(url, json={"email": tenants.acme_admin.email}, headers=keys["acme"])
    assert assert_envelope(taken, 422)["errors"] == {"email": ["The email has already been taken."]}
    bad = client.put(url, json={"role": "owner"}, headers=keys["acme"])
    assert assert_envelope(bad, 422)["errors"] == {"role": ["The selected role is invalid."]}


def test_delete_and_tenancy(client, db, tenants, keys) -> None:
    made = client.post(
        "/api/v1/users", json={"email": "gone@acme.test", "role": "member"}, headers=keys["acme"]
    ).get_json()["data"]
    for method, body in (
        (client.put, {"name": "x"}),
        (client.patch, {"name": "x"}),
        (client.delete, None),
    ):
        assert_envelope(
            method(f"/api/v1/users/{made['id']}", json=body, headers=keys["globex"]), 404
        )
    assert_envelope(
        client.post(
            "/api/v1/users",
            json={"email": "g@x.test", "role": "member", "company_id": tenants.acme.id},
            headers=keys["globex"],
        ),
        404,
    )
    assert_envelope(client.delete(f"/api/v1/users/{made['id']}", headers=keys["read_only"]), 403)
    gone = client.delete(f"/api/v1/users/{made['id']}", headers=keys["acme"])
    assert gone.status_code == 200 and gone.get_json() == {}
    assert db.exec(select(User).where(User.email == "gone@acme.test")).first() is None
    assert_envelope(client.get(f"/api/v1/users/{made['id']}", headers=keys["acme"]), 404)
    # staff are not managed through this API
    staff = client.delete(f"/api/v1/users/{tenants.pm.id}", headers=keys["agency"])
    assert_envelope(staff, 403)
    # an agency key names the company
    named = client.post(
        "/api/v1/users",
        json={"email": "agency-made@acme.test", "role": "viewer", "company_id": tenants.acme.id},
        headers=keys["agency"],
    )
    assert named.get_json()["data"]["company_id"] == str(tenants.acme.id)
    unnamed = client.post(
        "/api/v1/users",
        json={"email": "nowhere@x.test", "role": "viewer"},
        headers=keys["agency"],
    )
    assert "company_id" in assert_envelope(unnamed, 422)["errors"]


def test_client_viewer_cannot_create_users_in_a_session(client, tenants, login) -> None:
    login(tenants.acme_viewer)
    resp = client.post("/api/v1/users", json={"email": "v@acme.test", "role": "member"})
    assert resp.status_code in (403,), resp.get_json()
