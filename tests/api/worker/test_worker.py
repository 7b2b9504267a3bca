"""The portal worker API (reference 000): service token + X-Portal-* headers."""

from __future__ import annotations

import pytest

from portal.models.activity import Action
from services.events import activity
from tests.api.conftest import assert_envelope, bearer


def worker(token: str, company, role: str = "admin", **extra) -> dict[str, str]:
    return bearer(token, **{"X-Portal-Company-Id": company.id, "X-Portal-User-Role": role}, **extra)


def names(resp) -> set[str]:
    assert resp.status_code == 200, resp.get_json()
    return {p["name"] for p in resp.get_json()["projects"]}


def test_projects_are_group_aware_with_string_ids(client, tenants, service_token) -> None:
    resp = client.get("/api/portal/projects", headers=worker(service_token, tenants.acme))
    assert names(resp) == {"Acme Website", "Retail Launch"}
    body = resp.get_json()
    assert set(body) >= {"projects", "taskCounts", "limit", "offset", "total"}
    assert all(isinstance(p["id"], str) and "companyId" in p for p in body["projects"])
    resp = client.get("/api/portal/projects", headers=worker(service_token, tenants.retail))
    assert names(resp) == {"Retail Launch"}


def test_group_header_narrows_but_never_widens(client, tenants, service_token) -> None:
    acme, retail, globex = tenants.acme, tenants.retail, tenants.globex
    narrowed = worker(service_token, acme, **{"X-Portal-Group-Company-Ids": f"{acme.id}"})
    assert names(client.get("/api/portal/projects", headers=narrowed)) == {"Acme Website"}
    widened = worker(
        service_token, acme, **{"X-Portal-Group-Company-Ids": f"{acme.id},{retail.id},{globex.id}"}
    )
    assert names(client.get("/api/portal/projects", headers=widened)) == {
        "Acme Website",
        "Retail Launch",
    }
    # a child cannot reach its parent or a stranger by listing them
    child = worker(
        service_token, retail, **{"X-Portal-Group-Company-Ids": f"{acme.id},{globex.id}"}
    )
    assert names(client.get("/api/portal/projects", headers=child)) == {"Retail Launch"}
    bad = worker(service_token, acme, **{"X-Portal-Group-Company-Ids": "1,two"})
    assert_envelope(client.get("/api/portal/projects", headers=bad), 400, "invalid_header")


def test_company_id_is_required_and_checked(client, tenants, service_token) -> None:
    resp = client.get("/api/portal/projects", headers=bearer(service_token))
    assert_envelope(resp, 400, "missing_company")
    resp = client.get(
        "/api/portal/projects", headers=bearer(service_token, **{"X-Portal-Company-Id": "abc"})
    )
    assert_envelope(resp, 400, "invalid_header")
    resp = client.get(
        "/api/portal/projects", headers=bearer(service_token, **{"X-Portal-Company-Id": 999999})
    )
    assert_envelope(resp, 404)
    resp = client.get(
        "/api/portal/projects", headers=worker(service_token, tenants.acme, role="owner")
    )
    assert_envelope(resp, 400, "invalid_header")


def test_user_id_must_belong_to_the_company(client, tenants, service_token) -> None:
    ok = worker(service_token, tenants.acme, **{"X-Portal-User-Id": tenants.acme_collab.id})
    assert client.get("/api/portal/projects", headers=ok).status_code == 200
    foreign = worker(service_token, tenants.acme, **{"X-Portal-User-Id": tenants.globex_admin.id})
    assert_envelope(client.get("/api/portal/projects", headers=foreign), 403, "invalid_user")


def test_wrong_or_missing_token(client, tenants, service_token, make_key) -> None:
    assert_envelope(client.get("/api/portal/projects"), 401)
    resp = client.get("/api/portal/projects", headers=worker("stoa_svc_nope", tenants.acme))
    assert_envelope(resp, 401, "invalid_token")
    # a client API key cannot act as the worker, with or without the headers
    key = make_key(tenants.acme)
    assert_envelope(client.get("/api/portal/projects", headers=worker(key, tenants.acme)), 403)
    assert_envelope(client.get("/api/portal/projects", headers=bearer(key)), 403)
    assert_envelope(client.get("/api/v1/portals", headers=worker(key, tenants.acme)), 403)
    # and the service token is not an API key
    assert_envelope(client.get("/api/v1/portals", headers=bearer(service_token)), 403)


def test_foreign_project_is_404(client, db, tenants, service_token) -> None:
    from portal.models import ProjectMember

    tenants.acme_project.lead_id = tenants.pm.id
    db.add(tenants.acme_project)
    db.add(
        ProjectMember(
            company_id=tenants.acme.id,
            project_id=tenants.acme_project.id,
            user_id=tenants.acme_admin.id,
            role_label="Sponsor",
        )
    )
    db.flush()
    url = f"/api/portal/projects/{tenants.acme_project.id}"
    assert_envelope(client.get(url, headers=worker(service_token, tenants.globex)), 404)
    assert_envelope(client.get(url, headers=worker(service_token, tenants.retail)), 404)
    body = client.get(url, headers=worker(service_token, tenants.acme)).get_json()
    assert body["project"]["name"] == "Acme Website"
    assert set(body) == {"project", "goals", "members", "aiSummary", "decisions"}
    member_ids = {m["id"] for m in body["members"]}
    assert str(tenants.acme_admin.id) in member_ids and str(tenants.pm.id) in member_ids
    assert str(tenants.globex_admin.id) not in member_ids


def test_history_and_team(client, db, tenants, service_token) -> None:
    from portal.tenancy import Actor

    staff = Actor(kind="staff", label="Staff")
    activity.record(db, actor=staff, company_id=tenants.acme.id, action=Action.task_created)
    activity.record(db, actor=staff, company_id=tenants.globex.id, action=Action.task_deleted)
    body = client.get("/api/portal/history", headers=worker(service_token, tenants.acme)).get_json()
    assert [h["action"] for h in body["history"]] == ["task_created"]
    assert body["total"] == 1 and body["limit"] == 50
    body = client.get("/api/portal/team", headers=worker(service_token, tenants.acme)).get_json()
    ids = {m["id"] for m in body["team"]}
    assert str(tenants.acme_viewer.id) in ids and str(tenants.pm.id) in ids
    assert str(tenants.globex_admin.id) not in ids


def test_client_session_reaches_the_portal_api(client, login, tenants) -> None:
    login(tenants.acme_viewer)
    assert names(client.get("/api/portal/projects")) == {"Acme Website", "Retail Launch"}
    login(tenants.staff_admin)
    assert_envelope(client.get("/api/portal/projects"), 403, "client_only")


@pytest.mark.parametrize("n", [3, 30])
def test_project_list_queries_do_not_grow(
    client, tenants, make_project, service_token, count_queries, n
):
    for i in range(n):
        make_project(tenants.acme, f"Bulk {i:02}")
    headers = worker(service_token, tenants.acme)
    with count_queries() as q:
        resp = client.get("/api/portal/projects?limit=100", headers=headers)
    assert len(resp.get_json()["projects"]) == n + 2
    assert q.count <= 8, q.statements
