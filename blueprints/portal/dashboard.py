"""Dashboard tab."""

from __future__ import annotations

from flask import Response, redirect, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.web.htmx import render_page
from portal.web.pagecache import cacheable
from services.dashboard import dashboard_view

bp = portal_blueprint("dashboard", __name__)


@bp.get("/")
def portal_home() -> Response:
    ctx = portal_ctx()
    tabs = ctx.tabs  # settings is always among them
    fallback = "dashboard" if "dashboard" in tabs else tabs[0]
    tab = ctx.portal.landing_tab if ctx.portal.landing_tab in tabs else fallback
    return redirect(url_for(f"{tab}.index"), code=302)


@bp.get("/dashboard")
@cacheable
def index() -> Response:
    ctx = portal_ctx()
    view = dashboard_view(get_session(), actor=ctx.actor, welcome=ctx.portal.welcome_message)
    return render_page("dashboard/index.html", ctx=ctx, view=view, active_tab="dashboard")
