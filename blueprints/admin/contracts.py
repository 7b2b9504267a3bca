"""Staff page listing contracts and their signatures across every portal (``/admin/contracts``);
a contract is prepared from its portal's Invoices tab (Contracts)."""

from __future__ import annotations

from flask import Response, redirect, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.principal import current_actor
from portal.web.args import page_arg
from portal.web.htmx import render_page
from services.billing.contracts import READ_NODE, contract_portals, staff_contracts
from services.portals import portal_for_slug

bp = staff_blueprint("contracts_admin", __name__, node=READ_NODE)


@bp.get("/")
def index() -> Response:
    actor = current_actor()
    session = get_session()
    view = staff_contracts(
        session, actor=actor, q=request.args.get("q", ""), page=page_arg(request.args)
    )
    return render_page(
        "admin/contracts.html", view=view, portals=contract_portals(session, actor=actor)
    )


@bp.get("/new")
def new() -> Response:
    """Off to the chosen portal's Contracts page with the upload form open."""
    slug = request.args.get("portal", "")
    portal = portal_for_slug(get_session(), actor=current_actor(), slug=slug)
    return redirect(url_for("contracts.index", slug=portal.portal.slug, new=1), code=303)
