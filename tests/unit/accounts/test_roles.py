"""Roles and permission nodes: wildcards, several roles accumulating, no escalation."""

from __future__ import annotations

import pytest

from portal.errors import Conflict, Forbidden, Invalid
from portal.models import Role
from portal.models.user import RoleCreate, RoleUpdate
from portal.tenancy import Actor, actor_for_user, gate_fields, has_node
from services.accounts import roles
from services.accounts.users import ADMIN_ROLE, PM_NODES, PM_ROLE, ensure_role, grant_role


def _role(db, name: str, nodes: list[str]) -> Role:
    return ensure_role(db, name=name, permissions=nodes)


@pytest.mark.parametrize(
    ("granted", "required", "ok"),
    [
        (["*"], "role.write", True),
        (["role.*"], "role.write", True),
        (["role.*"], "user.roles.update", False),
        (["obj.*"], "obj.company.name", True),
        (["obj.company.*"], "obj.company.name", True),
        (["obj.company.*"], "obj.user.name", False),
        (["obj.company.name"], "obj.company.id", False),
    ],
)
def test_wildcards(granted, required, ok) -> None:
    assert has_node(granted, required) is ok


def test_nodes_accumulate_over_several_roles(db, make_user) -> None:
    user = make_user(staff="none")
    grant_role(db, user=user, role=_role(db, "Billing", ["invoice.read", "invoice.write"]))
    grant_role(db, user=user, role=_role(db, "Network", ["network.*"]))
    actor = actor_for_user(db, user)
    assert actor.can("invoice.write") and actor.can("network.sites.sync")
    assert not actor.can("role.read")
    assert roles.effective_nodes(db, user) == ["invoice.read", "invoice.write", "network.*"]


def _actor(db, user) -> Actor:
    return actor_for_user(db, user)


def test_nobody_grants_a_node_they_do_not_hold(db, make_user) -> None:
    editor = make_user(staff="none")
    grant_role(
        db,
        user=editor,
        role=_role(db, "Role editor", ["role.*", "user.roles.update", "invoice.read"]),
    )
    actor = _actor(db, editor)
    ok = roles.create_role(
        db, actor=actor, data=RoleCreate(title="Reader", permissions=["invoice.read"])
    )
    assert ok.permissions == ["invoice.read"]
    with pytest.raises(Forbidden) as refused:
        roles.create_role(
            db, actor=actor, data=RoleCreate(title="More", permissions=["invoice.write"])
        )
    assert refused.value.code == "escalation"
    with pytest.raises(Forbidden):
        roles.add_permissions(db, actor=actor, identifier=ok.id, nodes=["*"])
    with pytest.raises(Forbidden):  # a role above one's own cannot be given, not even to oneself
        admin = _role(db, ADMIN_ROLE, ["*"])
        roles.add_user_role(db, actor=actor, user_id=editor.id, identifier=admin.id)
    with pytest.raises(Invalid):
        roles.create_role(
            db, actor=actor, data=RoleCreate(title="Typo", permissions=["invoice.reed"])
        )


def test_a_pm_cannot_grant_itself_more(db, tenants) -> None:
    pm = _actor(db, tenants.pm)
    pm_role = _role(db, PM_ROLE, PM_NODES)
    with pytest.raises(Forbidden):
        roles.add_permissions(db, actor=pm, identifier=pm_role.id, nodes=["invoice.write"])
    with pytest.raises(Forbidden):
        roles.add_user_role(db, actor=pm, user_id=tenants.pm.id, identifier="admin")
    with pytest.raises(Forbidden):
        roles.list_roles(db, actor=pm)


def test_built_in_roles_stay(db, tenants) -> None:
    admin = _actor(db, tenants.staff_admin)
    with pytest.raises(Conflict):
        roles.delete_role(db, actor=admin, identifier="pm")
    with pytest.raises(Conflict):
        roles.delete_role(db, actor=admin, identifier="admin")
    with pytest.raises(Conflict):
        roles.update_role(db, actor=admin, identifier="pm", data=RoleUpdate(title="Manager"))
    with pytest.raises(Conflict):
        roles.update_role(
            db, actor=admin, identifier="admin", data=RoleUpdate(permissions=["role.read"])
        )
    with pytest.raises(Conflict):  # the last administrator keeps the role
        roles.remove_user_role(db, actor=admin, user_id=tenants.staff_admin.id, identifier="admin")
    pm = roles.update_role(
        db, actor=admin, identifier="pm", data=RoleUpdate(permissions=[*PM_NODES, "role.read"])
    )
    assert "role.read" in pm.permissions and roles.moniker(pm) == "pm"


def test_field_gating_keeps_only_granted_fields(db, make_user, app) -> None:
    user = make_user(staff="none")
    grant_role(db, user=user, role=_role(db, "Names only", ["obj.company.name"]))
    actor = _actor(db, user)
    data = {"id": "1", "name": "Acme", "slug": "acme"}
    assert gate_fields(data, actor, "obj.company") == {"name": "Acme"}
