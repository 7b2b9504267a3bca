"""Team tab: the people on this client's work."""

from __future__ import annotations

from flask import Response

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.web.htmx import render_page
from services.team import team_view

bp = portal_blueprint("team", __name__)


@bp.get("/team")
def index() -> Response:
    ctx = portal_ctx()
    view = team_view(get_session(), actor=ctx.actor, company_id=ctx.company.id)
    return render_page("team/index.html", ctx=ctx, view=view, active_tab="team")
