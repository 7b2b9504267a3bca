"""The agency's feedback board: ideas from every portal the staff member sees
(``/admin/feedback``); each idea links to its portal's board."""

from __future__ import annotations

from flask import Response, request

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.principal import current_actor
from portal.web.args import arg_int, page_arg
from portal.web.htmx import render_page
from services.feedback.board import agency_board
from services.feedback.listing import SORTS, Filters

bp = staff_blueprint("feedback_admin", __name__)


@bp.get("/")
def index() -> Response:
    args = request.args
    sort = args.get("sort", "newest")
    view = agency_board(
        session=get_session(),
        actor=current_actor(),
        filters=Filters(
            q=(args.get("q") or "").strip()[:200],
            status_id=arg_int(args, "status", minimum=1),
            sort=sort if sort in SORTS else "newest",
        ),
        page=page_arg(args),
    )
    return render_page("feedback/admin.html", view=view, staff_tab="feedback")
