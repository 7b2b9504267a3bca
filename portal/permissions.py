"""The one catalogue of staff permission nodes (reference 004's permission nodes).

Every node the product checks is registered here or by its area with :func:`register_node`,
so the role editor and ``/api/v1/permissions`` list exactly what is checked. Field nodes
(``obj.<type>.<field>`` and other gated families) come from ``portal.tenancy.FIELD_SCOPES``.

Nothing here is hand-kept against the code: ``tests/unit/core/test_permission_catalogue.py``
scans the source (:func:`node_usages`) for every literal node passed to ``staff_can``,
``require_staff``, ``require``, ``staff_blueprint(node=...)``, ``actor.can`` and ``*_NODE``
constants, and fails when one is not registered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PermissionNode:
    node: str
    description: str
    category: str


NODES: dict[str, PermissionNode] = {}

# Category key -> (name, description); a category not named here is titled from its key.
CATEGORIES: dict[str, tuple[str, str]] = {
    "global": (
        "Global Permissions",
        "Global wildcard permissions that grant access to all resources",
    ),
    "portal": ("Portal Permissions", "Client portals: reading, working in and managing them"),
    "user": ("User Permissions", "People: invitations, their roles and permissions"),
    "role": ("Role Permissions", "Roles and the permission catalogue"),
    "company": ("Company Permissions", "Client companies"),
}


def register_node(node: str, description: str, *, category: str | None = None) -> str:
    """Register ``node`` (idempotent) and return it: ``X = register_node(...)``."""
    cat = category or ("global" if node == "*" else node.split(".", 1)[0])
    NODES[node] = PermissionNode(node, description, cat)
    return node


def is_registered(node: str) -> bool:
    return node in NODES


def registered_nodes() -> list[PermissionNode]:
    return sorted(NODES.values(), key=lambda n: (n.category != "global", n.category, n.node))


def field_nodes() -> list[PermissionNode]:
    """The field nodes of every registered family (``obj.company.name`` …), one category each."""
    from portal.tenancy import FIELD_SCOPES

    return [
        PermissionNode(node, f"Read the {node.rsplit('.', 1)[1]} field", family.scope)
        for family in FIELD_SCOPES.values()
        for node in family.nodes()
    ]


def all_nodes() -> list[PermissionNode]:
    """Every node a role may hold: the registered ones, then the field nodes."""
    return [*registered_nodes(), *field_nodes()]


def is_known(node: str) -> bool:
    """A registered node or a field node of a registered family."""
    return node in NODES or any(n.node == node for n in field_nodes())


def is_grantable(node: str) -> bool:
    """What may be put on a role: a known node, ``*``, or ``<prefix>.*`` covering known nodes."""
    if node == "*" or is_known(node):
        return True
    if node.endswith(".*"):
        base = node[:-2]
        return any(n.node == base or n.node.startswith(base + ".") for n in all_nodes())
    return False


def category_info(key: str) -> tuple[str, str]:
    from portal.tenancy import FIELD_SCOPES

    if key in CATEGORIES:
        return CATEGORIES[key]
    if key in FIELD_SCOPES:
        family = FIELD_SCOPES[key]
        return (f"Fields: {key}", family.description or f"Which fields of {key} objects one reads")
    return (f"{key.replace('_', ' ').title()} Permissions", f"Permissions of the {key} area")


def node_dict(node: PermissionNode) -> dict[str, Any]:
    """Reference 004's node object: ``node``, ``description``, ``usedIn`` (source files)."""
    return {
        "node": node.node,
        "description": node.description,
        "usedIn": sorted(node_usages().get(node.node, ())),
    }


def catalogue() -> dict[str, dict[str, Any]]:
    """Every node by category (``GET /api/v1/permissions``): ``{key: {name, description,
    permissions: [node objects]}}``, global first, then registered areas, then field families."""
    out: dict[str, dict[str, Any]] = {}
    for node in all_nodes():
        if node.category not in out:
            name, description = category_info(node.category)
            out[node.category] = {"name": name, "description": description, "permissions": []}
        out[node.category]["permissions"].append(node_dict(node))
    return out


# --- what the code checks, found in the source -------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("portal", "services", "blueprints", "templates")
_NODE = r"""["']([a-z*][A-Za-z0-9_.*-]*)["']"""
# literal nodes handed to the checks, and constants named *_NODE
NODE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b(?:\w*require\w*|staff_can|has_node)\(\s*[\w.]+\s*,\s*(?:node\s*=\s*)?" + _NODE),
    re.compile(r"\.can\(\s*" + _NODE + r"\s*\)"),
    re.compile(r"\bstaff_blueprint\([^)]*?\bnode\s*=\s*" + _NODE, re.S),
    re.compile(r"\b[A-Z][A-Z0-9_]*_NODE\s*=\s*(?:register_node\(\s*)?" + _NODE),
)


def scan_source(paths: Iterable[Path]) -> dict[str, set[str]]:
    """node -> the files (relative to the project) where the code checks it literally."""
    found: dict[str, set[str]] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for pattern in NODE_PATTERNS:
            for match in pattern.finditer(text):
                node = match.group(1)
                if ":" in node:  # an API key scope (require_scope("users:read")), not a node
                    continue
                rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
                found.setdefault(node, set()).add(rel)
    return found


@lru_cache(maxsize=1)
def node_usages() -> dict[str, frozenset[str]]:
    """What :func:`scan_source` finds in the product's own source (cached per process)."""
    files = [
        p
        for top in SCANNED
        for p in sorted((ROOT / top).rglob("*"))
        if p.suffix in {".py", ".html"} and p.is_file()
    ]
    return {node: frozenset(where) for node, where in scan_source(files).items()}


for _node, _description in (
    ("*", "Full access to all resources and actions (administrator role)"),
    ("portal.all", "See every client portal, not only the assigned ones"),
    ("portal.read", "Read the portals one is assigned to"),
    ("portal.write", "Change work inside assigned portals"),
    ("portal.manage", "Manage assigned portals' settings and people"),
    ("portal.create", "Create portals"),
    ("user.invite", "Invite people to a company"),
    ("company.permissions.update", "Change which extra fields a company's client roles may see"),
    ("project.update", "Edit projects"),
    ("task.update", "Edit tasks"),
    ("task.delete", "Delete tasks"),
    ("file.create", "Upload files"),
    ("file.delete", "Delete files"),
    ("file.publish", "Publish files to clients"),
    ("file.approve", "Approve files"),
    ("file.request", "Request files from clients"),
    ("deliverable.create", "Add deliverables"),
    ("deliverable.update", "Change deliverables and their versions"),
    ("page.write", "Write portal pages"),
    ("announcement.create", "Publish announcements"),
    ("invoice.read", "Read invoices"),
    ("invoice.write", "Create, send, void invoices and record payments"),
    ("budget.write", "Prepare budgets"),
    ("webhook.manage", "Manage webhook endpoints"),
    ("api_key.manage", "Create and revoke API keys"),
    ("settings.deliverables", "Change the agency's deliverable settings"),
    ("settings.feedback", "Change the feedback board's settings"),
    ("network.read", "Read network sites"),
    ("network.sites.create", "Create network sites"),
    ("network.sites.link", "Link and unlink network sites to companies"),
    ("network.sites.sync", "Sync network sites from the controller"),
    ("network.wifi.update", "Change WiFi networks"),
    ("network.wifi.ppsk.create", "Create private pre-shared keys"),
    ("network.wlan-groups.create", "Create WLAN groups"),
    ("network.speed-profiles.create", "Create speed profiles"),
    ("dev.outbox", "See the development mail outbox"),
):
    register_node(_node, _description)
