"""The portal worker API (``/api/portal/``, reference 000) and the tabs its routes belong to.

A portal tab switched off does not exist for the company: the pages answer 404 (``_portal``'s
gate) and so do the worker's routes of that tab — here, in the API's auth step, never per view.
"""

from __future__ import annotations

from sqlmodel import Session, select

from portal.errors import NotFound
from portal.models import ALL_TABS, Portal
from portal.tenancy import Actor

PREFIX = "/api/portal/"

# The first path segment of every worker route -> the portal tab it serves (None: it belongs
# to no tab: the account's notifications, announcements and the history feed). A test walks
# every registered /api/portal route and fails on a segment missing here.
WORKER_TABS: dict[str, str | None] = {
    "dashboard": "dashboard",
    "projects": "projects",
    "requests": "tasks",
    "notes": "notes",
    "invoices": "invoices",
    "budgets": "invoices",
    "contracts": "invoices",
    "connections": "results",
    "results": "results",
    "pages": "pages",
    "team": "team",
    "onboarding": "onboarding",
    "questionnaire": "onboarding",
    "qbrs": "onboarding",
    "announcements": None,
    "notifications": None,
    "history": None,
}


def worker_tab(path: str) -> str | None:
    """The tab a worker route serves (None: no tab, or not a worker route)."""
    if not path.startswith(PREFIX):
        return None
    return WORKER_TABS.get(path[len(PREFIX) :].split("/", 1)[0])


def check_worker_tab(session: Session, actor: Actor, path: str) -> None:
    """404 ``tab_disabled`` when the route's tab is switched off on the company's portal.

    Results follow ``enabled_tabs`` only: with ``dashboard_enabled`` off, reference 000's own
    answer (``dashboard_enabled: false``) comes from the views, as before.
    """
    tab = worker_tab(path)
    if tab is None or actor.is_staff or actor.company_id is None:
        return
    enabled = session.exec(
        select(Portal.enabled_tabs).where(Portal.company_id == actor.company_id)
    ).first()
    if tab in set(enabled or ALL_TABS):
        return
    raise NotFound(f"The {tab} tab is switched off on this portal.", code="tab_disabled")
