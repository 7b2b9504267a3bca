"""The one place a page links to an object: in the portal of the company the object belongs to.

A parent company's portal shows its children's items too (its dashboard's "Waiting for you",
its activity); their pages live in the child's portal, so a link built with the current
portal's slug would be a 404. :func:`object_url` picks the owning portal among the group's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, url_for
from sqlmodel import Session
from werkzeug.exceptions import HTTPException

from portal.models import ActivityLog, Portal
from portal.tenancy import Actor
from services.portals import portals_by_slug, visible_tabs
from services.portals.settings import tab_label

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


def _tab_of(endpoint: str) -> str | None:
    """The tab whose switch decides whether ``endpoint``'s page exists (None: no tab's)."""
    from blueprints._portal import BLUEPRINT_TABS, TAB_OFF_EXEMPT  # they import our users

    if endpoint in TAB_OFF_EXEMPT:
        return None
    return BLUEPRINT_TABS.get(endpoint.split(".", 1)[0])


def _tab_is_on(endpoint: str, portal: Portal) -> bool:
    """Whether the tab serving ``endpoint`` is switched on on ``portal`` (a switched-off tab's
    pages are 404 there: no link may lead into one)."""
    tab = _tab_of(endpoint)
    return tab is None or tab in visible_tabs(portal)


@dataclass(frozen=True)
class SwitchedOff:
    """A stored link into a tab that is now switched off on its portal."""

    tab: str
    portal: Portal

    @property
    def message(self) -> str:
        return f"The {tab_label(self.tab)} tab is switched off on {self.portal.title}'s portal."


def _portal_page(path: str) -> tuple[str, str] | None:
    """(portal slug, tab) of a same-site path to a page inside a portal tab, else None."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith("/p/"):
        return None
    try:
        endpoint, values = current_app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:  # no such page (or a redirect to one): nothing to say about it
        return None
    slug, tab = values.get("slug"), _tab_of(str(endpoint))
    return (str(slug), tab) if slug and tab else None


def switched_off_links(
    session: Session, *, actor: Actor, urls: Iterable[str | None]
) -> dict[str, SwitchedOff]:
    """The stored links (notifications keep theirs from when they were sent) that now lead
    into a tab switched off on its portal, by link; one query for them all, none when no
    link points into a portal."""
    pages = {url: page for url in set(urls) if url and (page := _portal_page(url))}
    if not pages:
        return {}
    portals = portals_by_slug(session, actor=actor, slugs={slug for slug, _ in pages.values()})
    off: dict[str, SwitchedOff] = {}
    for url, (slug, tab) in pages.items():
        portal = portals.get(slug)
        if portal is not None and tab not in visible_tabs(portal):
            off[url] = SwitchedOff(tab=tab, portal=portal)
    return off


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
