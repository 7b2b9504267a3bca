"""The one place a page links to an object: in the portal of the company the object belongs to.

A parent company's portal shows its children's items too (its dashboard's "Waiting for you",
its activity); their pages live in the child's portal, so a link built with the current
portal's slug would be a 404. :func:`object_url` picks the owning portal among the group's.
"""

from __future__ import annotations

from typing import Any

from flask import g, url_for
from sqlmodel import col, select

from portal.db import get_session
from portal.models import ActivityLog, Portal

# object type (as activity rows name it) -> (endpoint, id argument)
OBJECT_ENDPOINTS: dict[str, tuple[str, str]] = {
    "deliverable": ("deliverables.detail", "deliverable_id"),
    "file": ("files.detail", "file_id"),
    "task": ("tasks.task", "task_id"),
    "invoice": ("invoices.detail", "invoice_id"),
    "budget": ("budgets.detail", "budget_id"),
    "project": ("projects.detail", "project_id"),
}
# model class -> object type
MODEL_TYPES: dict[str, str] = {
    "Deliverable": "deliverable",
    "PortalFile": "file",
    "Task": "task",
    "Invoice": "invoice",
    "Budget": "budget",
    "Project": "project",
}


def _group_slugs() -> dict[int, str]:
    """Slugs of the current portal's group (its company and the children the visitor sees),
    read once per request."""
    if "group_slugs" not in g:
        ctx = g.get("portal_ctx")
        if ctx is None:
            g.group_slugs = {}
        else:
            rows = get_session().exec(
                select(Portal.company_id, Portal.slug).where(
                    col(Portal.company_id).in_(ctx.group_company_ids)
                )
            )
            g.group_slugs = dict(rows.all())
    slugs: dict[int, str] = g.group_slugs
    return slugs


def object_url(obj: Any, **query: Any) -> str | None:
    """The page of ``obj`` (a model row, or an activity row naming one) in its own portal;
    None when it has no page there, or its portal is not one the visitor can open."""
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
    slug = _group_slugs().get(company_id)
    if slug is None:
        return None
    endpoint, arg = target
    values: dict[str, Any] = {"slug": slug, arg: obj_id, **query}
    return url_for(endpoint, **values)
