"""Staff pages listing invoices (``/admin/invoices``) and budgets (``/admin/invoices/budgets``)
across every portal."""

from __future__ import annotations

from flask import Response, request

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.models.billing import DISPLAY_STATUSES
from portal.models.budget import BUDGET_STATUSES, STATUS_LABELS
from portal.principal import current_actor
from portal.web.args import page_arg
from portal.web.htmx import render_page
from services.billing.budget_queries import staff_budgets
from services.billing.queries import staff_invoices

bp = staff_blueprint("invoices_admin", __name__, node="invoice.read")


@bp.get("/")
def index() -> Response:
    view = staff_invoices(
        get_session(),
        actor=current_actor(),
        status=request.args.get("status", ""),
        q=request.args.get("q", ""),
        page=page_arg(request.args),
    )
    return render_page("admin/invoices.html", view=view, statuses=DISPLAY_STATUSES)


@bp.get("/budgets")
def budgets() -> Response:
    view = staff_budgets(
        get_session(),
        actor=current_actor(),
        status=request.args.get("status", ""),
        q=request.args.get("q", ""),
        page=page_arg(request.args),
    )
    return render_page(
        "admin/budgets.html", view=view, statuses=BUDGET_STATUSES, status_labels=STATUS_LABELS
    )
