"""The API framework: auth modes, the error envelope, pagination, rate limits, CSRF."""

from __future__ import annotations

import pytest

from blueprints.api import auth
from tests.api.conftest import assert_envelope, bearer, portal_of


def test_unknown_route_is_a_json_404(client) -> None:
    assert_envelope(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_envelope(client.get("/api"), 404, "not_found")
    assert_envelope(client.get("/api/nope"), 404, "not_found")


def test_options_answers_allow_without_credentials(client) -> None:
    resp = client.options("/api/v1/portals")
    assert resp.status_code == 200 and {"GET", "POST"} <= set(resp.headers["Allow"].split(", "))
    assert client.options("/api/v1/portals/1").status_code == 200


def test_wrong_method_is_a_json_405(client, make_key) -> None:
    resp = client.delete("/api/v1/verify", headers=bearer(make_key()))
    assert_envelope(resp, 405, "method_not_allowed")
    assert "GET" in resp.headers["Allow"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer stoa_wrong"}, {"X-API-Key": "stoa_wrong"}, {"X-API-Key": "x"}],
)
@pytest.mark.parametrize("path", ["/api/v1/verify", "/api/v1/portals", "/api/v1/portals/1"])
def test_missing_or_wrong_key_is_401(client, headers, path) -> None:
    assert_envelope(client.get(path, headers=headers), 401)


def test_api_responses_are_not_cached_and_401_challenges(client, make_key) -> None:
    resp = client.get("/api/v1/verify")
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")
    resp = client.get("/api/v1/portals", headers=bearer(make_key()))
    assert resp.headers["Cache-Control"] == "no-store"


def test_revoked_key_is_401(client, db, make_key) -> None:
    from portal.models import ApiKey
    from portal.models.base import utcnow

    secret = make_key()
    key = db.exec(__import__("sqlmodel").select(ApiKey)).all()[-1]
    key.revoked_at = utcnow()
    db.add(key)
    db.flush()
    assert_envelope(client.get("/api/v1/verify", headers=bearer(secret)), 401, "invalid_api_key")


def test_verify_with_bearer_or_x_api_key(client, tenants, make_key) -> None:
    agency = make_key()
    for headers in (bearer(agency), {"X-API-Key": agency}):
        body = client.get("/api/v1/verify", headers=headers).get_json()
        assert body["success"] is True and body["key_type"] == "agency"
        assert body["company_id"] is None
    company = make_key(tenants.acme, scopes=["portal:read"])
    body = client.get("/api/v1/verify", headers=bearer(company)).get_json()
    assert body["key_type"] == "company" and body["company_id"] == tenants.acme.id
    assert body["scopes"] == ["portal:read"]


def test_company_key_lists_only_its_group_and_agency_key_all(client, db, tenants, make_key) -> None:
    resp = client.get("/api/v1/portals?limit=100", headers=bearer(make_key(tenants.globex)))
    assert [p["slug"] for p in resp.get_json()["items"]] == [tenants.globex.slug]
    resp = client.get("/api/v1/portals?limit=100", headers=bearer(make_key(tenants.acme)))
    assert {p["slug"] for p in resp.get_json()["items"]} == {tenants.acme.slug, tenants.retail.slug}
    resp = client.get("/api/v1/portals?limit=100", headers=bearer(make_key(tenants.retail)))
    assert [p["slug"] for p in resp.get_json()["items"]] == [tenants.retail.slug]
    body = client.get("/api/v1/portals?limit=100", headers=bearer(make_key())).get_json()
    slugs = {p["slug"] for p in body["items"]}
    assert {tenants.acme.slug, tenants.retail.slug, tenants.globex.slug} <= slugs
    assert body["total"] == len(slugs) or body["total"] > 100


def test_foreign_portal_is_404_for_keys_and_sessions(client, db, login, tenants, make_key) -> None:
    acme_portal = portal_of(db, tenants.acme)
    for path in (
        f"/api/v1/portals/{acme_portal.id}",
        f"/api/v1/portals/{acme_portal.id}/activity",
    ):
        assert_envelope(client.get(path, headers=bearer(make_key(tenants.globex))), 404)
        assert_envelope(client.get(path, headers=bearer(make_key(tenants.retail))), 404)
        assert client.get(path, headers=bearer(make_key(tenants.acme))).status_code == 200
    login(tenants.globex_admin)
    assert_envelope(client.get(f"/api/v1/portals/{acme_portal.id}"), 404)
    login(tenants.acme_viewer)
    assert client.get(f"/api/v1/portals/{acme_portal.id}").status_code == 200


def test_portal_object_shape(client, db, tenants, make_key) -> None:
    acme_portal = portal_of(db, tenants.acme)
    body = client.get(f"/api/v1/portals/{acme_portal.id}", headers=bearer(make_key())).get_json()
    assert set(body) == {
        "id", "title", "slug", "url", "status", "accent_color", "allow_uploads",
        "client_user_id", "sub_client_ids", "manager_ids", "template_id", "template_applied",
        "created_at",
    }  # fmt: skip
    assert body["id"] == acme_portal.id
    assert body["url"].endswith(f"/p/{tenants.acme.slug}/")
    assert body["client_user_id"] == tenants.acme_admin.id
    assert set(body["sub_client_ids"]) == {tenants.acme_collab.id, tenants.acme_viewer.id}
    assert body["manager_ids"] == [tenants.pm.id]
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")


def test_scopes_are_enforced(client, db, tenants, make_key) -> None:
    no_read = make_key(scopes=["users:read"])
    assert_envelope(
        client.get("/api/v1/portals", headers=bearer(no_read)), 403, "insufficient_scope"
    )
    acme_portal = portal_of(db, tenants.acme)
    assert_envelope(
        client.get(f"/api/v1/portals/{acme_portal.id}", headers=bearer(no_read)),
        403,
        "insufficient_scope",
    )
    read_only = make_key(scopes=["portal:read"])
    assert_envelope(
        client.post("/api/v1/portals", json={"title": "X"}, headers=bearer(read_only)),
        403,
        "insufficient_scope",
    )


def test_pagination_clamps_limit_and_reports_total(client, make_company, make_key) -> None:
    for i in range(5):
        make_company(f"Paged {i}")
    key = make_key()
    body = client.get(
        "/api/v1/portals?limit=2&offset=1&search=paged", headers=bearer(key)
    ).get_json()
    assert (body["limit"], body["offset"], body["total"]) == (2, 1, 5)
    assert [p["title"] for p in body["items"]] == ["Paged 1", "Paged 2"]
    assert client.get("/api/v1/portals?limit=1000", headers=bearer(key)).get_json()["limit"] == 100
    assert client.get("/api/v1/portals?limit=0", headers=bearer(key)).get_json()["limit"] == 1
    assert client.get("/api/v1/portals", headers=bearer(key)).get_json()["limit"] == 50


@pytest.mark.parametrize(
    "qs, field",
    [
        ("offset=-1", "offset"),
        ("limit=abc", "limit"),
        ("status=deleted", "status"),
        ("sort=password", "sort"),
        ("offset=99999999999999999999", "offset"),
    ],
)
def test_bad_filters_are_422_with_field_errors(client, make_key, qs, field) -> None:
    body = assert_envelope(
        client.get(f"/api/v1/portals?{qs}", headers=bearer(make_key())), 422, "validation_error"
    )
    assert field in body["errors"] and body["errors"][field]


def test_malformed_json_is_400(client, make_key) -> None:
    resp = client.post(
        "/api/v1/portals",
        data='{"title": "oops"',
        content_type="application/json",
        headers=bearer(make_key()),
    )
    assert_envelope(resp, 400, "malformed_json")


def test_viewer_write_is_403(client, db, login, tenants) -> None:
    login(tenants.acme_viewer)
    acme_portal = portal_of(db, tenants.acme)
    resp = client.post(f"/api/v1/portals/{acme_portal.id}/invite", json={"email": "a@b.test"})
    assert_envelope(resp, 403, "forbidden")


def test_session_writes_need_the_csrf_header(app, client, db, login, tenants, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(tenants.staff_admin)
    assert client.get("/api/v1/portals").status_code == 200
    resp = client.post("/api/v1/portals", json={"title": "No token"})
    assert_envelope(resp, 400, "csrf_failed")
    # the token the page's <meta> carries, sent in the header, lets it through
    page = client.get("/account")
    import re

    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))[1]
    resp = client.post(
        "/api/v1/portals", json={"title": "With token"}, headers={"X-CSRFToken": token}
    )
    assert resp.status_code == 201, resp.get_json()


def test_token_requests_need_no_csrf(app, client, make_key, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    resp = client.post("/api/v1/portals", json={"title": "Keyed"}, headers=bearer(make_key()))
    assert resp.status_code == 201


def test_rate_limit_per_key_gives_429_with_retry_after(client, make_key, monkeypatch) -> None:
    monkeypatch.setattr(auth, "KEY_LIMIT", 3)
    key = make_key()
    for _ in range(3):
        assert client.get("/api/v1/verify", headers=bearer(key)).status_code == 200
    resp = client.get("/api/v1/verify", headers=bearer(key))
    assert_envelope(resp, 429, "rate_limited")
    assert int(resp.headers["Retry-After"]) >= 1
    # another key is counted separately
    assert client.get("/api/v1/verify", headers=bearer(make_key())).status_code == 200


def test_rate_limit_per_ip_covers_unauthenticated_calls(client, monkeypatch) -> None:
    monkeypatch.setattr(auth, "IP_LIMIT", 2)
    for _ in range(2):
        assert client.get("/api/v1/verify").status_code == 401
    assert_envelope(client.get("/api/v1/verify"), 429, "rate_limited")


def test_unexpected_error_is_a_500_envelope_without_traceback(
    client, make_key, monkeypatch
) -> None:
    from services.portals import admin as portal_admin

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(portal_admin, "list_portals", boom)
    resp = client.get("/api/v1/portals", headers=bearer(make_key()))
    body = assert_envelope(resp, 500, "internal_error")
    assert "secret internals" not in resp.get_data(as_text=True) and "errors" not in body


def test_nul_characters_are_refused_not_500(client, make_key) -> None:
    resp = client.get("/api/v1/portals?search=a%00b", headers=bearer(make_key()))
    assert_envelope(resp, 422)
    resp = client.post("/api/v1/portals", json={"title": "a\u0000b"}, headers=bearer(make_key()))
    assert_envelope(resp, 422)


def test_openapi_document_describes_every_api_operation(app, client) -> None:
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, item in doc["paths"].items() for method in item}
    import re

    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint in {"api_openapi", "api_docs"}:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    for item in doc["paths"].values():
        for op in item.values():
            assert {"401", "403", "404", "422", "429"} <= set(op["responses"])


def test_portal_list_query_count_does_not_grow(
    client, make_company, make_user, make_key, count_queries
):
    key = make_key()
    counts = []
    for n in (3, 30):
        for _ in range(n - (3 if counts else 0)):
            company = make_company()
            make_user(company, "admin")
        with count_queries() as q:
            body = client.get("/api/v1/portals?limit=100", headers=bearer(key)).get_json()
        assert body["total"] >= n
        counts.append(q.count)
    assert counts[0] == counts[1] and counts[1] <= 12, counts
