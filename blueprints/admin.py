"""Staff area."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_login import current_user

from portal.db import get_session
from portal.errors import NotFound
from portal.extensions import login_manager
from portal.htmx import render_page
from portal.principal import current_actor
from services.admin import portal_overview
from services.deliverables import approvals_queue

bp = Blueprint("admin", __name__)


@bp.before_request
def _staff_only() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_actor().is_staff:
        raise NotFound()  # the staff area does not exist for clients
    return None


@bp.get("/")
def index() -> Response:
    q = request.args.get("q", "").strip()[:100]
    page = request.args.get("page", "1")
    overview = portal_overview(
        get_session(), actor=current_actor(), query=q, page=int(page) if page.isdigit() else 1
    )
    return render_page("admin/index.html", overview=overview, q=q)


@bp.get("/approvals")
def approvals() -> Response:
    """Deliverables needing staff action (or a client decision) across every visible portal."""
    queue = approvals_queue(get_session(), current_actor())
    return render_page("admin/approvals.html", queue=queue)
