"""Pages tab: the rich pages published to this client (group-aware)."""

from __future__ import annotations

from flask import Response, request

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.principal import current_actor
from portal.web.htmx import render_page
from services import pages as svc

bp = portal_blueprint("pages", __name__)


@bp.get("/pages")
def index() -> Response:
    ctx = portal_ctx()
    raw = request.args.get("page", "1")
    listing = svc.list_published(
        get_session(),
        actor=current_actor(),
        company_ids=ctx.group_company_ids,
        page=int(raw) if raw.isdigit() else 1,
    )
    return render_page("pages/index.html", ctx=ctx, listing=listing, active_tab="pages")


@bp.get("/pages/<int:page_id>")
def detail(page_id: int) -> Response:
    ctx = portal_ctx()
    row = svc.get_published(
        get_session(), actor=current_actor(), page_id=page_id, company_ids=ctx.group_company_ids
    )
    return render_page(
        "pages/detail.html", ctx=ctx, row=row, active_tab="pages", page_title=row.page.title
    )
