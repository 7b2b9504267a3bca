"""What every portal tab shares: the slug resolves to a PortalContext through the tenancy core."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from flask_login import current_user

from portal.db import get_session
from portal.errors import Forbidden, NotFound
from portal.extensions import login_manager
from portal.models import IMPLEMENTED_TABS
from portal.principal import current_actor
from services.portals import PortalContext, portal_for_slug

# Every endpoint a portal blueprint opened to read-only roles (the roles test reads it).
OPEN_WRITE_ENDPOINTS: set[str] = set()

# Blueprint name -> the tab its pages belong to (a tab's own blueprint, or a page of a tab
# declared with ``tab=``: budgets, contracts and proposals are sections of Invoices).
BLUEPRINT_TABS: dict[str, str] = {}

# Routes of a tab that stay when the tab is switched off: the portal's home (it redirects to
# the landing tab, or the first one on).
TAB_OFF_EXEMPT: frozenset[str] = frozenset({"dashboard.portal_home"})


def portal_blueprint(
    name: str,
    import_name: str,
    *,
    open_writes: frozenset[str] = frozenset(),
    tab: str | None = None,
) -> Blueprint:
    """A blueprint mounted under ``/p/<slug>``; its views get ``g.portal_ctx`` resolved.

    When its tab (``name`` if that is a tab of ``IMPLEMENTED_TABS``, else ``tab``: a page that
    is a section of a tab) is switched off on the portal, every route of the blueprint is 404
    for everyone: the tab does not exist there.

    Writes need a collaborator or more, except on the views named in ``open_writes`` (endpoint
    names): their services decide who may (a viewer's vote, where the portal allows it). No
    write passes on a read-only (archived) portal.
    """
    bp = Blueprint(name, import_name)
    OPEN_WRITE_ENDPOINTS.update(open_writes)
    own_tab = name if name in IMPLEMENTED_TABS else tab
    if own_tab is not None:
        assert own_tab in IMPLEMENTED_TABS, own_tab
        BLUEPRINT_TABS[name] = own_tab

    @bp.url_value_preprocessor
    def _pull_slug(endpoint: str | None, values: dict[str, Any] | None) -> None:
        g.portal_slug = (values or {}).pop("slug", None)

    @bp.url_defaults
    def _add_slug(endpoint: str, values: dict[str, Any]) -> None:
        if "slug" not in values and g.get("portal_ctx") is not None:
            values["slug"] = g.portal_ctx.portal.slug

    @bp.before_request
    def _resolve_portal() -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        g.portal_ctx = portal_for_slug(get_session(), actor=current_actor(), slug=g.portal_slug)
        off = own_tab is not None and own_tab not in g.portal_ctx.tabs
        if off and request.endpoint not in TAB_OFF_EXEMPT:
            raise NotFound()
        if request.method not in {"GET", "HEAD", "OPTIONS"}:
            ctx = g.portal_ctx
            opened = request.endpoint in open_writes and not ctx.read_only
            if not ctx.can_write and not opened:
                raise Forbidden("You can look, but not change things here.")
        return None

    return bp


def portal_ctx() -> PortalContext:
    return g.portal_ctx
