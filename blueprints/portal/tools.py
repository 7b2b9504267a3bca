"""Tools & Links tab: the portal's resource board (links and the guides assigned to it)."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Invalid
from portal.models.tools import ToolLinkCreate
from portal.tenancy import staff_can
from portal.validation import form_data, validated
from portal.web.htmx import render_page
from services import tools as svc
from services.portals import PortalContext

bp = portal_blueprint("tools", __name__)


def _ctx() -> PortalContext:
    return portal_ctx()  # the portal gate already 404s when the tab is off


def _board(
    status: int = 200, form: dict[str, str] | None = None, errors: object = None
) -> Response:
    ctx = _ctx()
    return render_page(
        "tools/index.html",
        status=status,
        ctx=ctx,
        active_tab="tools",
        page_title="Tools & Links",
        board=svc.board(get_session(), actor=ctx.company_actor, company_id=ctx.portal.company_id),
        can_edit=not ctx.read_only and staff_can(ctx.actor, "portal.manage"),
        form=form or {},
        errors=errors or {},
    )


@bp.get("/tools")
def index() -> Response:
    return _board()


@bp.post("/tools")
def add() -> Response:
    ctx = _ctx()
    form = form_data(request.form)
    try:
        svc.add_link(
            get_session(),
            actor=ctx.company_actor,
            company_id=ctx.portal.company_id,
            data=validated(ToolLinkCreate, form),
        )
    except Invalid as exc:
        return _board(422, form, exc.errors)
    flash("Link added.", "success")
    return redirect(url_for("tools.index"), code=303)


@bp.post("/tools/<int:tool_id>/delete")
def delete(tool_id: int) -> Response:
    ctx = _ctx()
    svc.delete_link(get_session(), actor=ctx.company_actor, tool_id=tool_id)
    flash("Link removed.", "success")
    return redirect(url_for("tools.index"), code=303)


@bp.get("/tools/guides/<int:guide_id>")
def guide(guide_id: int) -> Response:
    ctx = _ctx()
    row = svc.get_assigned_guide(
        get_session(), actor=ctx.company_actor, company_id=ctx.portal.company_id, guide_id=guide_id
    )
    return render_page(
        "tools/guide.html", ctx=ctx, guide=row, active_tab="tools", page_title=row.title
    )
