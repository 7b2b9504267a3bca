"""Staff area: the audit log (``/admin/audit``) — filter, page, export as CSV."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, request

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.principal import current_actor
from portal.web.args import arg_int, page_arg
from portal.web.htmx import render_page
from services.events import audit as service

bp = staff_blueprint("audit", __name__)


def _filters() -> service.AuditFilters:
    args = request.args
    return service.AuditFilters(
        actor_id=arg_int(args, "actor", minimum=1),
        company_id=arg_int(args, "company", minimum=1),
        action=(args.get("action") or "").strip()[:64],
        since=service.parse_date(args.get("since")),
        until=service.parse_date(args.get("until")),
    )


@bp.get("")
def index() -> Response:
    view = service.audit_view(
        get_session(), actor=current_actor(), filters=_filters(), page=page_arg(request.args)
    )
    return render_page("admin/audit.html", view=view)


@bp.get("/export.csv")
def export() -> Response:
    body = service.export_csv(get_session(), actor=current_actor(), filters=_filters())
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )
