from __future__ import annotations

import pytest
from sqlmodel import select

from portal.errors import NotFound
from portal.models import Project
from portal.tenancy import (
    actor_for_user,
    gate_fields,
    get_for_actor,
    has_node,
    node_matches,
    scoped,
)


@pytest.mark.parametrize(
    ("granted", "required", "ok"),
    [
        ("*", "invoice.create", True),
        ("invoice.create", "invoice.create", True),
        ("invoice.*", "invoice.create", True),
        ("invoice.*", "invoice", True),
        ("network.wifi.read.*", "network.wifi.read.passphrase", True),
        ("network.wifi.read.*", "network.wifi.write", False),
        ("invoice.create", "invoice.delete", False),
        ("invoice", "invoice.create", False),
        ("invoices.*", "invoice.create", False),
    ],
)
def test_permission_node_matching(granted: str, required: str, ok: bool) -> None:
    assert node_matches(granted, required) is ok


def test_has_node_any_of() -> None:
    assert has_node(["task.read", "file.*"], "file.delete")
    assert not has_node([], "file.read")


def test_parent_users_see_children_but_children_never_see_parent(db, tenants) -> None:
    parent_actor = actor_for_user(db, tenants.acme_admin)
    child_actor = actor_for_user(db, tenants.retail_admin)
    assert parent_actor.company_ids == {tenants.acme.id, tenants.retail.id}
    assert child_actor.company_ids == {tenants.retail.id}

    parent_projects = db.exec(scoped(select(Project), parent_actor, Project)).all()
    assert {p.name for p in parent_projects} == {"Acme Website", "Retail Launch"}
    child_projects = db.exec(scoped(select(Project), child_actor, Project)).all()
    assert [p.name for p in child_projects] == ["Retail Launch"]


def test_foreign_row_is_not_found(db, tenants) -> None:
    globex = actor_for_user(db, tenants.globex_admin)
    with pytest.raises(NotFound):
        get_for_actor(db, Project, tenants.acme_project.id, globex)
    with pytest.raises(NotFound):
        get_for_actor(db, Project, "not-a-number", globex)
    assert get_for_actor(db, Project, tenants.globex_project.id, globex).name == "Globex Intranet"


def test_staff_admin_sees_all_and_pm_only_assigned(db, tenants) -> None:
    admin = actor_for_user(db, tenants.staff_admin)
    pm = actor_for_user(db, tenants.pm)
    assert admin.sees_all
    # the PM is assigned to Acme; Acme's child comes with it, Globex does not
    assert pm.company_ids == {tenants.acme.id, tenants.retail.id}
    with pytest.raises(NotFound):
        get_for_actor(db, Project, tenants.globex_project.id, pm)


def test_field_gating_keeps_only_granted_fields(db, tenants, make_user) -> None:
    from portal.tenancy import Actor

    staff = Actor(
        kind="staff",
        user_id=1,
        nodes=frozenset({"obj.user.name", "obj.user.email"}),
        company_ids=None,
    )
    data = {"name": "A", "email": "a@x.test", "is_active": True}
    assert gate_fields(data, staff, "obj.user") == {"name": "A", "email": "a@x.test"}
    everything = Actor(kind="staff", user_id=1, nodes=frozenset({"obj.user.*"}), company_ids=None)
    assert gate_fields(data, everything, "obj.user") == data


def test_pending_portals_are_declared_staff_only_once(db, tenants) -> None:
    from portal.models import Portal

    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    portal.status = "pending"
    db.add(portal)
    db.flush()
    client = actor_for_user(db, tenants.acme_admin)
    assert db.exec(scoped(select(Portal), client, Portal)).all() == [
        db.exec(select(Portal).where(Portal.company_id == tenants.retail.id)).one()
    ]
    with pytest.raises(NotFound):
        get_for_actor(db, Portal, portal.id, client)
    assert get_for_actor(db, Portal, portal.id, actor_for_user(db, tenants.pm)) == portal
