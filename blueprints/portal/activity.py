"""Activity feed of a portal (not a tab: linked from the notes page and the dashboard)."""

from __future__ import annotations

from flask import Response, request

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.web.args import arg_int, page_arg
from portal.web.htmx import render_page
from portal.web.pagecache import cacheable
from services.events.activity import FILTER_ACTIONS, LABELS, activity_view

bp = portal_blueprint("activity", __name__)


@bp.get("/activity")
@cacheable
def index() -> Response:
    ctx = portal_ctx()
    view = activity_view(
        get_session(),
        actor=ctx.actor,
        action=request.args.get("action"),
        person=arg_int(request.args, "person", minimum=1),
        page=page_arg(request.args),
    )
    return render_page(
        "activity/index.html",
        ctx=ctx,
        view=view,
        actions=FILTER_ACTIONS,
        labels=LABELS,
        active_tab="activity",
        page_title="Activity",
    )
