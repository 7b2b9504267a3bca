"""Staff page of the sales pipeline (``/admin/opportunities``): list with filters, one
opportunity with its products, and sharing it with its company as a proposal."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Response, flash, request, url_for

from blueprints._staff import staff_blueprint
from portal.db import get_session
from portal.errors import Conflict, Invalid
from portal.models.proposal import ProposalShare
from portal.principal import current_actor
from portal.validation import form_data, validated
from portal.web.args import page_arg
from portal.web.htmx import hx_redirect, perform, render_page
from services.billing import proposals
from services.catalog import sales
from services.catalog.pipeline import filters_from_args, money, opportunity_view, staff_pipeline

bp = staff_blueprint("opportunities_admin", __name__, node=sales.FETCH_MANY)


@bp.get("/")
def index() -> Response:
    view = staff_pipeline(
        get_session(),
        actor=current_actor(),
        filters=filters_from_args(request.args),
        page=page_arg(request.args),
    )
    return render_page("admin/opportunities.html", view=view, detail=None, money=money)


def _render_detail(opportunity_id: int, status: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {"form": {}, "errors": {}}
    context.update(extra)
    detail = opportunity_view(get_session(), actor=current_actor(), opportunity_id=opportunity_id)
    return render_page(
        "admin/opportunities.html",
        status=status,
        view=None,
        detail=detail,
        money=money,
        **context,
    )


@bp.get("/<int:opportunity_id>")
def detail(opportunity_id: int) -> Response:
    return _render_detail(opportunity_id)


def _quantity(raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip() or "1")
    except InvalidOperation:
        raise Invalid(errors={"quantity": ["Give the quantity as a number."]}) from None
    if not value.is_finite() or value > 1_000_000:
        raise Invalid(errors={"quantity": ["Give a quantity up to 1,000,000."]})
    return value


@bp.post("/<int:opportunity_id>/products")
def add_product(opportunity_id: int) -> Response:
    fields = form_data(request.form)
    return perform(
        lambda: sales.add_product(
            get_session(),
            actor=current_actor(),
            opportunity_id=opportunity_id,
            catalog_item=fields.get("catalog_item", ""),
            quantity=_quantity(str(fields.get("quantity", ""))),
        ),
        message="Product added.",
        location=url_for("opportunities_admin.detail", opportunity_id=opportunity_id),
        refused=lambda status, **why: _render_detail(
            opportunity_id, status, form=request.form, **why
        ),
    )


@bp.post("/<int:opportunity_id>/share")
def share(opportunity_id: int) -> Response:
    raw = {k: (v or None) if k == "valid_until" else v for k, v in form_data(request.form).items()}
    try:
        proposal = proposals.share_opportunity(
            get_session(),
            actor=current_actor(),
            opportunity_id=opportunity_id,
            data=validated(ProposalShare, raw),
        )
    except Invalid as exc:
        return _render_detail(opportunity_id, 422, form=request.form, errors=exc.errors)
    except Conflict as exc:
        return _render_detail(opportunity_id, 409, form=request.form, errors={"_": [exc.message]})
    flash(f"Shared with the client as version {proposal.version}.", "success")
    return hx_redirect(proposals.portal_url(get_session(), proposal) or url_for(".index"))
