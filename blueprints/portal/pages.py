"""Pages tab: the rich pages published to this client (group-aware)."""

from __future__ import annotations

from flask import Response, request

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.web.args import page_arg
from portal.web.htmx import render_page
from services import pages as svc

bp = portal_blueprint("pages", __name__)


@bp.get("/pages")
def index() -> Response:
    ctx = portal_ctx()
    listing = svc.list_published(get_session(), actor=ctx.actor, page=page_arg(request.args))
    return render_page("pages/index.html", ctx=ctx, listing=listing, active_tab="pages")


@bp.get("/pages/<int:page_id>")
def detail(page_id: int) -> Response:
    ctx = portal_ctx()
    row = svc.get_published(get_session(), actor=ctx.actor, page_id=page_id)
    return render_page(
        "pages/detail.html", ctx=ctx, row=row, active_tab="pages", page_title=row.page.title
    )
