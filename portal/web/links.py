"""The one place a page links to an object: in the portal of the company the object belongs to.

A parent company's portal shows its children's items too (its dashboard's "Waiting for you",
its activity); their pages live in the child's portal, so a link built with the current
portal's slug would be a 404. :func:`object_url` picks the owning portal among the group's.
"""

from __future__ import annotations

from typing import Any

from flask import g, url_for

from portal.models import ActivityLog, Portal
from services.portals import visible_tabs

# object type (as activity rows name it) -> (endpoint, id argument)
OBJECT_ENDPOINTS: dict[str, tuple[str, str]] = {
    "deliverable": ("deliverables.detail", "deliverable_id"),
    "file": ("files.detail", "file_id"),
    "task": ("tasks.task", "task_id"),
    "invoice": ("invoices.detail", "invoice_id"),
    "budget": ("budgets.detail", "budget_id"),
    "proposal": ("proposals.detail", "proposal_id"),
    "project": ("projects.detail", "project_id"),
}
# model class -> object type
MODEL_TYPES: dict[str, str] = {
    "Deliverable": "deliverable",
    "PortalFile": "file",
    "Task": "task",
    "Invoice": "invoice",
    "Budget": "budget",
    "Proposal": "proposal",
    "Project": "project",
}


def _portal_of(company_id: int) -> Portal | None:
    """A company's portal in the current portal's group (loaded with the portal)."""
    ctx = g.get("portal_ctx")
    return ctx.portal_of(company_id) if ctx is not None else None


def _tab_is_on(endpoint: str, portal: Portal) -> bool:
    """Whether the tab serving ``endpoint`` is switched on on ``portal`` (a switched-off tab's
    pages are 404 there: no link may lead into one)."""
    from blueprints._portal import BLUEPRINT_TABS  # the blueprints import this module's users

    tab = BLUEPRINT_TABS.get(endpoint.split(".", 1)[0])
    return tab is None or tab in visible_tabs(portal)


def object_url(obj: Any, **query: Any) -> str | None:
    """The page of ``obj`` (a model row, or an activity row naming one) in its own portal;
    None when it has no page there, its portal is not one the visitor can open, or the tab
    holding its page is switched off on that portal (templates then show the name alone)."""
    if isinstance(obj, ActivityLog):
        if obj.action.endswith("_deleted"):
            return None
        kind, obj_id = obj.object_type, obj.object_id
    else:
        kind, obj_id = MODEL_TYPES.get(type(obj).__name__, ""), getattr(obj, "id", None)
    company_id = getattr(obj, "company_id", None)
    target = OBJECT_ENDPOINTS.get(kind)
    if target is None or obj_id is None or company_id is None:
        return None
    portal = _portal_of(company_id)
    endpoint, arg = target
    if portal is None or not _tab_is_on(endpoint, portal):
        return None
    values: dict[str, Any] = {"slug": portal.slug, arg: obj_id, **query}
    return url_for(endpoint, **values)
