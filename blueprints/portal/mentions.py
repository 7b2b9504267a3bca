"""@mention suggestions for the note and comment boxes of a portal (static/js/mentions.js asks
as the person types ``@da``): only people who can see the portal, through the notes service."""

from __future__ import annotations

from flask import Response, request

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.web.htmx import render_page
from services.notes import mention_candidates

bp = portal_blueprint("mentions", __name__)


@bp.get("/mentions")
def suggest() -> Response:
    ctx = portal_ctx()
    people = mention_candidates(
        get_session(),
        actor=ctx.actor,
        company_id=ctx.company.id,  # type: ignore[arg-type]
        query=request.args.get("q", "")[:100],
        internal=request.args.get("internal") == "1",
    )
    prefix = "".join(ch for ch in request.args.get("for", "mention") if ch.isalnum() or ch in "-_")
    return render_page(
        "mentions/options.html",
        block="options",
        ctx=ctx,
        people=people,
        prefix=prefix[:60] or "mention",
    )
