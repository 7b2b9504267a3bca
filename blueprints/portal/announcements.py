"""Announcements tab: the latest 20 announcements of the portal."""

from __future__ import annotations

from flask import Response

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.principal import current_actor
from portal.text import render_markdown
from portal.web.htmx import render_page
from services import announcements as service

bp = portal_blueprint("announcements", __name__)


@bp.get("/announcements")
def index() -> Response:
    ctx = portal_ctx()
    rows = service.latest_announcements(
        get_session(), actor=current_actor(), company_ids=ctx.group_company_ids
    )
    return render_page(
        "announcements/index.html",
        ctx=ctx,
        rows=[(a, render_markdown(a.body)) for a in rows],
        active_tab="announcements",
        page_title="Announcements",
    )
