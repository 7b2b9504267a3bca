"""Staff page of the agency's catalog (``/admin/catalog``): searchable, filterable, paged."""

from __future__ import annotations

from flask import Response, request

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.principal import current_actor
from portal.web.args import page_arg
from portal.web.htmx import render_page
from services.catalog import FETCH_MANY
from services.catalog.views import filters_from_args, staff_catalog

bp = staff_blueprint("catalog_admin", __name__, node=FETCH_MANY)


@bp.get("/")
def index() -> Response:
    view = staff_catalog(
        get_session(),
        actor=current_actor(),
        filters=filters_from_args(request.args),
        page=page_arg(request.args),
    )
    return render_page("admin/catalog.html", view=view)
