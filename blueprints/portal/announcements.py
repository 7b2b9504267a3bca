"""Announcements tab: the latest 20 announcements of the portal."""

from __future__ import annotations

from flask import Response

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.web.htmx import render_page
from services import announcements as service

bp = portal_blueprint("announcements", __name__)


@bp.get("/announcements")
def index() -> Response:
    ctx = portal_ctx()
    return render_page(
        "announcements/index.html",
        ctx=ctx,
        items=service.announcements_page(get_session(), actor=ctx.actor),
        active_tab="announcements",
        page_title="Announcements",
    )
