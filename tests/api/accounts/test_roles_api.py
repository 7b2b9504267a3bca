"""/api/v1/me, /roles, /users/{id}/roles, /users/{id}/permissions/check, /permissions
(reference 004's role, user and permission routes) — successes and every refusal."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import ActivityLog, Role, UserRole
from services.accounts.users import ensure_role, grant_role
from tests.api.conftest import assert_envelope, bearer


def data(resp, status: int = 200):
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    body = resp.get_json()
    assert body["status"] == status and body["successful"] is True and body["message"]
    return body["data"]


@pytest.fixture
def as_admin(client, login, tenants):
    login(tenants.staff_admin)
    return client


def test_me_lists_user_roles_and_effective_nodes(client, login, tenants) -> None:
    login(tenants.pm)
    me = data(client.get("/api/v1/me"))
    assert me["user"]["email"] == tenants.pm.email
    assert [r["moniker"] for r in me["roles"]] == ["pm"]
    assert "obj.*" in me["permissions"] and "role.read" not in me["permissions"]
    login(tenants.acme_viewer)
    me = data(client.get("/api/v1/me"))
    assert me["roles"] == [] and me["permissions"] == ["portal.read"]


def test_me_for_keys(client, make_key, tenants) -> None:
    me = data(client.get("/api/v1/me", headers=bearer(make_key())))
    assert me["user"] is None and me["permissions"] == ["*"]
    assert_envelope(
        client.get("/api/v1/me", headers=bearer(make_key(scopes=["portal:read"]))),
        403,
        "insufficient_scope",
    )
    assert_envelope(client.get("/api/v1/me"), 401)


def test_role_crud(as_admin, db) -> None:
    client = as_admin
    created = data(
        client.post(
            "/api/v1/roles",
            json={"title": "Billing team", "permissions": ["invoice.read", "invoice.write"]},
        ),
        201,
    )
    assert created["moniker"] == "billing_team" and created["builtIn"] is False
    assert created["permissions"] == ["invoice.read", "invoice.write"]
    rid = created["id"]
    assert data(client.get(f"/api/v1/roles/{rid}"))["title"] == "Billing team"
    assert data(client.get("/api/v1/roles/billing_team"))["id"] == rid
    listed = client.get("/api/v1/roles").get_json()
    assert {"admin", "pm", "billing_team"} <= {r["moniker"] for r in listed["data"]}
    assert listed["total"] == len(listed["data"])
    changed = data(client.patch(f"/api/v1/roles/{rid}", json={"description": "Invoices"}))
    assert changed["description"] == "Invoices" and changed["title"] == "Billing team"
    added = data(
        client.post(f"/api/v1/roles/{rid}/permissions", json={"permissions": ["budget.write"]})
    )
    assert added["permissions"] == ["invoice.read", "invoice.write", "budget.write"]
    removed = data(
        client.delete(f"/api/v1/roles/{rid}/permissions", json={"permissions": ["invoice.write"]})
    )
    assert removed["permissions"] == ["invoice.read", "budget.write"]
    assert data(client.delete(f"/api/v1/roles/{rid}"))["title"] == "Billing team"
    assert_envelope(client.get(f"/api/v1/roles/{rid}"), 404, "RoleNotFound")
    actions = set(db.exec(select(ActivityLog.action)).all())
    assert {"role_created", "role_updated", "role_deleted"} <= actions


def test_role_errors(as_admin) -> None:
    client = as_admin
    assert_envelope(client.get("/api/v1/roles/987654321"), 404)
    assert_envelope(client.get("/api/v1/roles/no_such_role"), 404)
    assert_envelope(client.patch("/api/v1/roles/987654321", json={"title": "X"}), 404)
    assert_envelope(client.delete("/api/v1/roles/987654321"), 404)
    body = assert_envelope(
        client.post("/api/v1/roles", json={"title": "Bad", "permissions": ["invoice.reed"]}), 422
    )
    assert "invoice.reed" in " ".join(body["errors"]["permissions"])
    assert_envelope(client.post("/api/v1/roles", json={"title": ""}), 422)
    assert_envelope(client.post("/api/v1/roles", json={"permissions": "role.read"}), 422)
    assert_envelope(client.post("/api/v1/roles", json={"title": "Administrator"}), 422)
    assert_envelope(client.post("/api/v1/roles/pm/permissions", json={"permissions": []}), 422)
    assert_envelope(
        client.post("/api/v1/roles/pm/permissions", json={"permissions": ["nope.nope"]}), 422
    )
    assert_envelope(client.delete("/api/v1/roles/pm"), 409, "builtin_role")
    assert_envelope(client.delete("/api/v1/roles/admin"), 409, "builtin_role")
    assert_envelope(client.patch("/api/v1/roles/admin", json={"permissions": ["role.read"]}), 409)
    assert_envelope(client.patch("/api/v1/roles/pm", json={"title": "Managers"}), 409)


def test_user_roles_add_remove(as_admin, db, make_user, tenants) -> None:
    client = as_admin
    person = make_user(staff="none")
    url = f"/api/v1/users/{person.id}/roles"
    assert data(client.get(url)) == []
    got = data(client.post(url, json={"role": "pm"}))
    assert [r["moniker"] for r in got] == ["pm"]
    data(client.post(url, json={"role": "pm"}))  # idempotent
    assert [r["moniker"] for r in data(client.get(url))] == ["pm"]
    assert data(client.delete(f"{url}/pm")) == []
    assert_envelope(client.post(url, json={"role": "no_such_role"}), 422)
    assert_envelope(client.post(url, json={}), 422)
    assert_envelope(client.delete(f"{url}/no_such_role"), 404)
    assert_envelope(client.get("/api/v1/users/987654321/roles"), 404)
    assert_envelope(client.post("/api/v1/users/987654321/roles", json={"role": "pm"}), 404)
    client_user = f"/api/v1/users/{tenants.acme_admin.id}/roles"
    assert_envelope(client.post(client_user, json={"role": "pm"}), 422)
    assert_envelope(
        client.delete(f"/api/v1/users/{tenants.staff_admin.id}/roles/admin"), 409, "last_admin"
    )
    actions = set(db.exec(select(ActivityLog.action)).all())
    assert {"user_role_added", "user_role_removed"} <= actions


def test_permission_check(as_admin, client, login, tenants) -> None:
    url = f"/api/v1/users/{tenants.pm.id}/permissions/check"
    got = data(as_admin.post(url, json={"permissions": ["task.update", "invoice.write"]}))
    assert got == {
        "results": [
            {"permission": "task.update", "hasPermission": True},
            {"permission": "invoice.write", "hasPermission": False},
        ]
    }
    assert_envelope(as_admin.post(url, json={"permissions": ["bogus.node"]}), 422)
    assert_envelope(as_admin.post(url, json={"permissions": []}), 422)
    assert_envelope(
        as_admin.post("/api/v1/users/987654321/permissions/check", json={"permissions": ["*"]}),
        404,
    )
    login(tenants.pm)  # a PM checks itself, not others
    mine = data(client.post("/api/v1/me/permissions/check", json={"permissions": ["role.read"]}))
    assert mine["results"] == [{"permission": "role.read", "hasPermission": False}]
    other = f"/api/v1/users/{tenants.staff_admin.id}/permissions/check"
    assert client.post(other, json={"permissions": ["role.read"]}).status_code in {403, 404}


def test_catalogue_routes(as_admin) -> None:
    cats = data(as_admin.get("/api/v1/permissions"))
    assert cats["global"]["permissions"][0]["node"] == "*"
    assert "obj.company" in cats and "role" in cats
    nodes = data(as_admin.get("/api/v1/permissions/nodes"))
    flat = {n["node"] for n in nodes}
    assert {"*", "role.read", "role.write", "user.roles.update", "obj.company.name"} <= flat
    role = data(as_admin.get("/api/v1/permissions/role"))
    assert role["name"] == "Role Permissions"
    body = assert_envelope(as_admin.get("/api/v1/permissions/invalidCategory"), 404)
    assert body["message"] == 'Permission category "invalidCategory" not found'


ROUTES = [
    ("get", "/api/v1/roles", None),
    ("post", "/api/v1/roles", {"title": "Sneaky", "permissions": []}),
    ("get", "/api/v1/roles/pm", None),
    ("patch", "/api/v1/roles/pm", {"description": "x"}),
    ("delete", "/api/v1/roles/pm", None),
    ("post", "/api/v1/roles/pm/permissions", {"permissions": ["*"]}),
    ("delete", "/api/v1/roles/pm/permissions", {"permissions": ["task.*"]}),
    ("get", "/api/v1/permissions", None),
    ("get", "/api/v1/permissions/nodes", None),
    ("get", "/api/v1/permissions/role", None),
]


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_pm_and_clients_are_refused(
    client, db, login, tenants, make_key, method, url, body
) -> None:
    """A PM has no role nodes; client users and company keys are not the agency."""
    before = db.exec(select(Role.permissions).where(Role.name == "Project manager")).one()
    for who in (tenants.pm, tenants.acme_admin):
        login(who)
        resp = getattr(client, method)(url, json=body)
        assert_envelope(resp, 403)
    resp = getattr(client, method)(url, json=body, headers=bearer(make_key(tenants.acme)))
    assert_envelope(resp, 403)
    after = db.exec(select(Role.permissions).where(Role.name == "Project manager")).one()
    assert before == after


def test_a_pm_cannot_give_itself_a_role(client, login, tenants, db) -> None:
    login(tenants.pm)
    resp = client.post(f"/api/v1/users/{tenants.pm.id}/roles", json={"role": "admin"})
    assert_envelope(resp, 403)
    resp = client.delete(f"/api/v1/users/{tenants.pm.id}/roles/pm")
    assert_envelope(resp, 403)


def test_escalation_is_403(client, db, login, make_user, tenants) -> None:
    """A role editor holding some nodes hands out only those."""
    editor = make_user(staff="none")
    grant_role(
        db,
        user=editor,
        role=ensure_role(
            db,
            name="Role editor",
            permissions=["role.*", "user.roles.update", "task.*", "obj.role.*"],
        ),
    )
    login(editor)
    ok = data(
        client.post("/api/v1/roles", json={"title": "Tasks", "permissions": ["task.update"]}), 201
    )
    body = assert_envelope(
        client.post("/api/v1/roles", json={"title": "All", "permissions": ["*"]}), 403, "escalation"
    )
    assert "*" in body["message"]
    assert_envelope(
        client.post(
            f"/api/v1/roles/{ok['id']}/permissions", json={"permissions": ["invoice.write"]}
        ),
        403,
    )
    assert_envelope(client.patch("/api/v1/roles/pm", json={"permissions": ["*"]}), 403)
    assert_envelope(client.post(f"/api/v1/users/{editor.id}/roles", json={"role": "admin"}), 403)
    links = db.exec(select(UserRole).where(UserRole.user_id == editor.id)).all()
    assert len(links) == 1


def test_company_objects_gated_to_name_only(client, db, login, make_user, tenants) -> None:
    """Reference 004: a role with obj.company.name only gets company objects with only name."""
    viewer = make_user(staff="none")
    grant_role(
        db,
        user=viewer,
        role=ensure_role(db, name="Names", permissions=["portal.all", "obj.company.name"]),
    )
    login(viewer)
    listed = client.get("/api/v1/companies?limit=100").get_json()["items"]
    assert listed and all(c == {"name": c["name"]} for c in listed)
    one = client.get(f"/api/v1/companies/{tenants.acme.id}").get_json()
    assert one == {"name": tenants.acme.name}
    users = client.get("/api/v1/users?limit=5").get_json()["data"]
    assert users and all(u == {} for u in users)  # no obj.user nodes: no user fields
    login(tenants.pm)  # PM_NODES keep obj.*: nothing existing changes
    full = client.get(f"/api/v1/companies/{tenants.acme.id}").get_json()
    assert {"id", "name", "slug", "parent_id", "portal_id", "created_at"} <= set(full)


def test_roles_are_gated_too(client, db, login, make_user) -> None:
    reader = make_user(staff="none")
    grant_role(
        db,
        user=reader,
        role=ensure_role(
            db, name="Role reader", permissions=["role.read", "obj.role.title", "obj.role.moniker"]
        ),
    )
    login(reader)
    roles = data(client.get("/api/v1/roles"))
    assert roles and all(set(r) == {"title", "moniker"} for r in roles)
