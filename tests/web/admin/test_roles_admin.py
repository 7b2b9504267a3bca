"""/admin/roles: the role list, the role editor (the catalogue as grouped checkboxes), giving
staff roles and a person's effective nodes."""

from __future__ import annotations

from sqlmodel import select

from portal.models import Role, UserRole
from services.accounts.users import ensure_role, grant_role
from tests.conftest import assert_both_ways


def test_list_both_ways_and_in_the_nav(client, login, tenants) -> None:
    login(tenants.staff_admin)
    assert "/admin/roles/" in client.get("/admin/").get_data(as_text=True)
    full, part = assert_both_ways(client, "/admin/roles/")
    assert "Administrator" in part and "Project manager" in part and "New role" in part
    assert tenants.pm.email in part


def test_pms_and_clients_do_not_reach_it(client, login, tenants) -> None:
    login(tenants.pm)
    assert "/admin/roles/" not in client.get("/admin/").get_data(as_text=True)
    assert client.get("/admin/roles/").status_code == 403
    assert client.post("/admin/roles/", data={"title": "X"}).status_code == 403
    login(tenants.acme_admin)
    assert client.get("/admin/roles/").status_code == 404


def test_editor_shows_the_catalogue_grouped(client, login, tenants) -> None:
    login(tenants.staff_admin)
    html = client.get("/admin/roles/new").get_data(as_text=True)
    for node in ("*", "role.read", "user.roles.update", "obj.company.name", "invoice.*"):
        assert f'value="{node}"' in html, node
    assert "Global Permissions" in html and "<details" in html and "<legend" in html


def test_create_edit_and_delete_a_role(client, db, login, tenants) -> None:
    login(tenants.staff_admin)
    resp = client.post(
        "/admin/roles/",
        data={
            "title": "Billing",
            "description": "Invoices",
            "permissions": ["invoice.read", "invoice.write"],
        },
    )
    assert resp.status_code == 303
    role = db.exec(select(Role).where(Role.name == "Billing")).one()
    assert role.permissions == ["invoice.read", "invoice.write"]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'value="invoice.write" checked' in page and "Role created." in page
    # unticking every box empties the role (an unticked checkbox is absent from the form)
    resp = client.post(f"/admin/roles/{role.id}", data={"title": "Billing", "description": ""})
    assert resp.status_code == 303
    db.refresh(role)
    assert role.permissions == []
    resp = client.post(f"/admin/roles/{role.id}/delete", headers={"HX-Request": "true"})
    assert resp.status_code == 204 and resp.headers["HX-Redirect"] == "/admin/roles/"
    assert db.exec(select(Role).where(Role.name == "Billing")).first() is None


def test_validation_messages_not_500s(client, db, login, tenants) -> None:
    login(tenants.staff_admin)
    resp = client.post("/admin/roles/", data={"title": "", "permissions": ["role.read"]})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "Give the role a name" in html
    assert 'value="role.read" checked' in html  # what was ticked stays ticked
    resp = client.post("/admin/roles/", data={"title": "Odd", "permissions": ["made.up"]})
    assert resp.status_code == 422 and "Unknown permission node: made.up" in resp.get_data(
        as_text=True
    )
    resp = client.post("/admin/roles/", data={"title": "x" * 81})
    assert resp.status_code == 422
    pm = db.exec(select(Role).where(Role.name == "Project manager")).one()
    resp = client.post(f"/admin/roles/{pm.id}/delete")
    assert resp.status_code == 422 and "Built-in roles cannot be deleted" in resp.get_data(
        as_text=True
    )
    assert client.get("/admin/roles/987654321").status_code == 404
    assert client.get("/admin/roles/people/987654321").status_code == 404
    client_page = client.get(f"/admin/roles/people/{tenants.acme_admin.id}")
    assert client_page.status_code == 200 and "is a client user" in client_page.get_data(
        as_text=True
    )
    resp = client.post(
        f"/admin/roles/people/{tenants.acme_admin.id}", data={"role_ids": [str(pm.id)]}
    )
    assert resp.status_code == 422 and "Roles are for staff users" in resp.get_data(as_text=True)


def test_escalation_in_the_editor_is_a_message(client, db, login, make_user) -> None:
    editor = make_user(staff="none")
    grant_role(db, user=editor, role=ensure_role(db, name="Editors", permissions=["role.*"]))
    login(editor)
    resp = client.post("/admin/roles/", data={"title": "Too much", "permissions": ["*"]})
    assert resp.status_code == 422
    assert "cannot grant more than you hold" in resp.get_data(as_text=True)
    assert db.exec(select(Role).where(Role.name == "Too much")).first() is None


def test_assign_roles_and_see_effective_nodes(client, db, login, make_user, tenants) -> None:
    person = make_user(staff="none", name="Pat Staff")
    billing = ensure_role(db, name="Billing", permissions=["invoice.read"])
    login(tenants.staff_admin)
    pm = db.exec(select(Role).where(Role.name == "Project manager")).one()
    resp = client.post(
        f"/admin/roles/people/{person.id}", data={"role_ids": [str(billing.id), str(pm.id)]}
    )
    assert resp.status_code == 303
    held = set(db.exec(select(UserRole.role_id).where(UserRole.user_id == person.id)).all())
    assert held == {billing.id, pm.id}
    page = client.get(f"/admin/roles/people/{person.id}").get_data(as_text=True)
    assert "<code>invoice.read</code>" in page and "<code>task.*</code>" in page
    resp = client.post(f"/admin/roles/people/{person.id}", data={"role_ids": [str(billing.id)]})
    assert resp.status_code == 303
    held = set(db.exec(select(UserRole.role_id).where(UserRole.user_id == person.id)).all())
    assert held == {billing.id}
    admin = db.exec(select(Role).where(Role.name == "Administrator")).one()
    resp = client.post(f"/admin/roles/people/{tenants.staff_admin.id}", data={})
    assert resp.status_code == 422 and "last administrator" in resp.get_data(as_text=True)
    held = set(
        db.exec(select(UserRole.role_id).where(UserRole.user_id == tenants.staff_admin.id)).all()
    )
    assert admin.id in held


def test_roles_page_query_count_is_bounded(
    client, db, login, make_user, tenants, count_queries
) -> None:
    login(tenants.staff_admin)
    client.get("/admin/roles/")
    for i in range(6):
        u = make_user(staff="none")
        grant_role(db, user=u, role=ensure_role(db, name=f"R{i}", permissions=["task.update"]))
    with count_queries() as few:
        assert client.get("/admin/roles/").status_code == 200
    for i in range(6):
        u = make_user(staff="none")
        grant_role(db, user=u, role=ensure_role(db, name=f"S{i}", permissions=["task.update"]))
    with count_queries() as more:
        assert client.get("/admin/roles/").status_code == 200
    assert more.count == few.count
