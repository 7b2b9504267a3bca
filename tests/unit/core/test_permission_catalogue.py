"""The permission catalogue is generated, never hand-kept: every node the code checks is
registered, and the field nodes come from the API objects' own declarations."""

from __future__ import annotations

from pathlib import Path

from portal import permissions
from portal.permissions import (
    NODE_PATTERNS,
    all_nodes,
    catalogue,
    is_grantable,
    is_known,
    node_usages,
    scan_source,
)
from portal.tenancy import FIELD_SCOPES


def test_every_node_the_code_checks_is_in_the_catalogue(app) -> None:
    """Scans portal/, services/, blueprints/ and templates/ for literal nodes given to
    staff_can / require_staff / require / staff_blueprint(node=…) / actor.can and *_NODE
    constants. A new check with an unregistered node fails here: register it with
    ``portal.permissions.register_node`` in its service module."""
    usages = node_usages()
    assert len(usages) > 30, "the scan found almost nothing: did the patterns break?"
    unregistered = {
        node: sorted(where) for node, where in usages.items() if not is_known(node) and node != "*"
    }
    assert not unregistered, f"register these permission nodes: {unregistered}"


def test_the_scan_finds_every_way_of_checking(tmp_path: Path) -> None:
    source = tmp_path / "area.py"
    source.write_text(
        "\n".join(
            [
                'X_NODE = "a.one"',
                'Y_NODE = register_node("a.two", "…")',
                'staff_can(actor, "a.three")',
                "require_staff(\n    actor,\n    'a.four', 'message')",
                'require(actor, "a.five")',
                'bp = staff_blueprint("x", __name__, node="a.six")',
                "{% if actor.can('a.seven') %}",
                '_require_agency(actor, "a.eight")',
                'require_staff("users:read")',  # an API key scope, not a node
                'has_node(nodes, "a.nine")',
            ]
        )
    )
    found = scan_source([source])
    assert set(found) == {f"a.{n}" for n in "one two three four five six seven eight nine".split()}
    assert len(NODE_PATTERNS) >= 4


def test_field_nodes_come_from_the_gated_objects(app) -> None:
    for scope in ("obj.company", "obj.user", "obj.role", "obj.networkSite"):
        assert scope in FIELD_SCOPES, scope
    assert is_known("obj.company.name") and is_known("obj.role.permissions")
    assert not is_known("obj.company.nonsense")
    assert "network.wifi.read.passphrase" in {n.node for n in all_nodes()}


def test_grantable_nodes_and_wildcards(app) -> None:
    assert is_grantable("*") and is_grantable("obj.*") and is_grantable("obj.company.*")
    assert is_grantable("network.*") and is_grantable("role.read")
    assert not is_grantable("nonsense.*") and not is_grantable("role.reed")
    assert not is_grantable("")


def test_catalogue_is_categorised_as_reference_004(app) -> None:
    data = catalogue()
    assert next(iter(data)) == "global"
    star = data["global"]["permissions"][0]
    assert star["node"] == "*" and star["description"] and star["usedIn"] == []
    role = {n["node"]: n for n in data["role"]["permissions"]}
    assert {"role.read", "role.write"} <= set(role)
    assert any(p.startswith("services/") for p in role["role.read"]["usedIn"])
    assert data["obj.company"]["name"] and {
        "obj.company.id",
        "obj.company.name",
    } <= {n["node"] for n in data["obj.company"]["permissions"]}
    flat = [n.node for n in all_nodes()]
    assert len(flat) == len(set(flat)), "a node is listed twice"
    assert permissions.is_registered("user.roles.update")
