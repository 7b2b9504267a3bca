"""Results tab: KPI cards with deltas and targets, the chart, the campaigns table, the
platform connections and the Ask box — only when the portal's ``dashboard_enabled`` is on."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Invalid
from portal.models.base import utcnow
from portal.models.results import ConnectionCreate
from portal.validation import form_data, validated
from portal.web.htmx import hx_redirect, render_fragment, render_page
from portal.web.pagecache import cacheable
from services import results as service
from services.results.ask import ask as ask_results
from services.results.campaigns import SORT_COLUMNS
from services.results.metrics import PERIOD_TYPES
from services.results.tab import results_tab

bp = portal_blueprint("results", __name__, open_writes=frozenset({"results.ask"}))
TEMPLATE = "results/index.html"
ARGS = ("period_type", "period_end", "sort_by", "sort_dir", "platform", "page")


def _args() -> dict[str, str]:
    return {k: request.args.get(k, "") for k in ARGS}


def _render(status: int = 200, **extra: Any) -> Response:
    ctx = portal_ctx()
    args = _args()
    tab = results_tab(
        get_session(),
        actor=ctx.actor,
        company_id=ctx.portal.company_id,
        company_ids=ctx.group_company_ids,
        period_type=args["period_type"] or None,
        period_end=args["period_end"] or None,
        sort_by=args["sort_by"] or None,
        sort_dir=args["sort_dir"] or None,
        platform=args["platform"] or None,
        page=args["page"] or None,
        today=utcnow().date(),
        can_write=ctx.can_write,
    )
    return render_page(
        TEMPLATE,
        status=status,
        ctx=ctx,
        tab=tab,
        args={k: v for k, v in args.items() if v},
        period_types=PERIOD_TYPES,
        sort_columns=SORT_COLUMNS,
        active_tab="results",
        page_title="Results",
        **extra,
    )


@bp.get("/results")
@cacheable
def index() -> Response:
    return _render()


@bp.post("/results/connections")
def connect() -> Response:
    ctx = portal_ctx()
    raw = form_data(request.form)
    data = {
        "platform": raw.get("platform"),
        "display_name": raw.get("display_name") or "",
        "credentials": {
            k: raw.get(k) or "" for k in ("shop", "access_token", "customer_id", "developer_token")
        },
    }
    try:
        connection = service.create_connection(
            session=get_session(),
            actor=ctx.actor,
            company_id=ctx.portal.company_id,
            data=validated(ConnectionCreate, data),
        )
    except Invalid as exc:
        form = {
            k: v for k, v in raw.items() if k in ("platform", "display_name", "shop", "customer_id")
        }
        return _render(422, errors=exc.errors or {"_": [exc.message]}, form=form, open_form=True)
    flash(f"{connection.display_name} is connected. Its numbers arrive with the first sync.")
    return hx_redirect(url_for("results.index"))


@bp.post("/results/connections/<int:connection_id>/delete")
def disconnect(connection_id: int) -> Response:
    service.delete_connection(
        session=get_session(), actor=portal_ctx().actor, connection_id=connection_id
    )
    flash("The platform is disconnected.")
    return hx_redirect(url_for("results.index"))


@bp.post("/results/sync")
def sync() -> Response:
    ctx = portal_ctx()
    service.request_sync(session=get_session(), actor=ctx.actor, company_id=ctx.portal.company_id)
    flash("Sync started: the numbers refresh in a moment.")
    return hx_redirect(url_for("results.index"))


@bp.post("/results/ask")
def ask() -> Response:
    ctx = portal_ctx()
    question = str(request.form.get("question") or "")
    try:
        reply = ask_results(
            session=get_session(),
            actor=ctx.actor,
            company_id=ctx.portal.company_id,
            company_ids=ctx.group_company_ids,
            question=question,
            today=utcnow().date(),
        )
    except Invalid as exc:
        return render_fragment(
            TEMPLATE, "answer", status=422, question=question, error=exc.message, reply=None
        )
    return render_fragment(TEMPLATE, "answer", question=question, reply=reply, error=None)
