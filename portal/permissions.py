"""The one catalogue of staff permission nodes (reference 004's permission nodes).

Every node the product checks is registered here or by its area with :func:`register_node`,
so the role editor and ``/api/v1/permissions`` list exactly what is checked. Field nodes
(``obj.<type>.<field>`` and other gated families) come from ``portal.tenancy.FIELD_SCOPES``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PermissionNode:
    node: str
    description: str
    category: str


NODES: dict[str, PermissionNode] = {}


def register_node(node: str, description: str, *, category: str | None = None) -> str:
    """Register ``node`` (idempotent) and return it: ``X = register_node(...)``."""
    cat = category or ("global" if node == "*" else node.split(".", 1)[0])
    NODES[node] = PermissionNode(node, description, cat)
    return node


def is_registered(node: str) -> bool:
    return node in NODES


def registered_nodes() -> list[PermissionNode]:
    return sorted(NODES.values(), key=lambda n: (n.category != "global", n.category, n.node))


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
    ("page.write", "Write portal pages"),
    ("announcement.create", "Publish announcements"),
    ("invoice.read", "Read invoices"),
    ("invoice.write", "Create, send, void invoices and record payments"),
    ("budget.write", "Prepare budgets"),
    ("webhook.manage", "Manage webhook endpoints"),
    ("settings.deliverables", "Change the agency's deliverable settings"),
    ("settings.feedback", "Change the feedback board's settings"),
    ("network.read", "Read network sites"),
    ("network.sites.create", "Create network sites"),
    ("network.sites.link", "Link and unlink network sites to companies"),
    ("network.sites.sync", "Sync network sites from the controller"),
    ("network.wifi.update", "Change WiFi networks"),
    ("network.wifi.ppsk.create", "Create private pre-shared keys"),
    ("dev.outbox", "See the development mail outbox"),
):
    register_node(_node, _description)
