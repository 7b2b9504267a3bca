"""Proposals, a section of the Invoices tab (/p/<slug>/invoices/proposals): the proposals the
agency shared with the group, each as its latest version; a client admin accepts (typed name and
consent, with a receipt) or declines with a reason; staff revise (a new version)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.models.proposal import (
    MAX_PROPOSAL_LINES,
    ProposalAccept,
    ProposalDecline,
    ProposalRevise,
)
from portal.validation import form_data, validated
from portal.web.args import page_arg
from portal.web.downloads import send_blob
from portal.web.htmx import perform, render_page
from services.billing import proposals as service

bp = portal_blueprint("proposals", __name__, tab="invoices")

TEMPLATE = "invoices/proposals.html"
LINE_FIELDS = ("description", "quantity", "unit_price")
BLANK_LINES = 2


def _lines(form: Mapping[str, Any]) -> list[dict[str, str]]:
    columns = {f: form.getlist(f"line_{f}") for f in LINE_FIELDS}  # type: ignore[attr-defined]
    count = min(max((len(v) for v in columns.values()), default=0), MAX_PROPOSAL_LINES)
    rows = []
    for i in range(count):
        row = {f: (columns[f][i] if i < len(columns[f]) else "").strip() for f in LINE_FIELDS}
        if row["description"] or row["unit_price"]:
            rows.append(row)
    return rows


def _render(status_code: int = 200, *, proposal_id: int | None = None, **extra: Any) -> Response:
    """The one Proposals page: the list, or (``proposal_id``) one proposal."""
    ctx = portal_ctx()
    session = get_session()
    context: dict[str, Any] = {
        "form": {},
        "form_lines": None,
        "errors": {},
        "view": None,
        "detail": None,
    }
    context.update(extra)
    if proposal_id is None:
        context["view"] = service.proposals_page(
            session, actor=ctx.actor, page=page_arg(request.args)
        )
        title = "Proposals"
    else:
        context["detail"] = service.proposal_detail(
            session, actor=ctx.actor, proposal_id=proposal_id, can_write=ctx.can_write
        )
        title = f"Proposal {context['detail'].proposal.title}"
    return render_page(
        TEMPLATE,
        status=status_code,
        ctx=ctx,
        blank_lines=BLANK_LINES,
        active_tab="invoices",
        page_title=title,
        **context,
    )


@bp.get("/invoices/proposals")
def index() -> Response:
    return _render()


@bp.get("/invoices/proposals/<int:proposal_id>")
def detail(proposal_id: int) -> Response:
    return _render(proposal_id=proposal_id)


def _act(
    proposal_id: int, action: Callable[[], object], message: str, **render_extra: Any
) -> Response:
    """Run one service action; a refused one re-renders the proposal with the reason."""
    return perform(
        action,
        message=message,
        location=url_for("proposals.detail", proposal_id=proposal_id),
        refused=lambda status, **why: _render(
            status, proposal_id=proposal_id, **why, **render_extra
        ),
    )


@bp.post("/invoices/proposals/<int:proposal_id>/accept")
def accept(proposal_id: int) -> Response:
    fields = form_data(request.form)
    raw = {
        "version": fields.get("version", ""),
        "typed_name": fields.get("typed_name", ""),
        "consent": fields.get("consent") == "on",
    }
    return _act(
        proposal_id,
        lambda: service.accept_proposal(
            get_session(),
            actor=portal_ctx().actor,
            proposal_id=proposal_id,
            data=validated(ProposalAccept, raw),
            ip_address=request.remote_addr or "",
            user_agent=request.headers.get("User-Agent", ""),
        ),
        "Accepted. Your receipt is below; the team has been told.",
        form=request.form,
    )


@bp.post("/invoices/proposals/<int:proposal_id>/decline")
def decline(proposal_id: int) -> Response:
    fields = form_data(request.form)
    raw = {"version": fields.get("version", ""), "reason": fields.get("reason", "")}
    return _act(
        proposal_id,
        lambda: service.decline_proposal(
            get_session(),
            actor=portal_ctx().actor,
            proposal_id=proposal_id,
            data=validated(ProposalDecline, raw),
        ),
        "Proposal declined. The team has your reason.",
        form=request.form,
    )


@bp.post("/invoices/proposals/<int:proposal_id>")
def revise(proposal_id: int) -> Response:
    fields = {k: v for k, v in form_data(request.form).items() if not k.startswith("line_")}
    lines = _lines(request.form)
    raw = {
        "title": fields.get("title"),
        "terms": fields.get("terms"),
        "valid_until": fields.get("valid_until") or None,
        "lines": lines,
    }
    return _act(
        proposal_id,
        lambda: service.revise_proposal(
            get_session(),
            actor=portal_ctx().actor,
            proposal_id=proposal_id,
            data=validated(ProposalRevise, raw),
        ),
        "New version shared. The client's decision starts over.",
        form=request.form,
        form_lines=lines,
    )


@bp.post("/invoices/proposals/<int:proposal_id>/invoice")
def draft_invoice(proposal_id: int) -> Response:
    """Staff: the accepted proposal becomes an invoice draft (one step)."""
    return _act(
        proposal_id,
        lambda: service.draft_invoice_from_proposal(
            session=get_session(), actor=portal_ctx().actor, proposal_id=proposal_id
        ),
        "Invoice draft created from the accepted proposal.",
    )


@bp.get("/invoices/proposals/<int:proposal_id>/receipt")
def receipt(proposal_id: int) -> Response:
    blob = service.receipt_file(
        get_session(),
        actor=portal_ctx().actor,
        proposal_id=proposal_id,
        as_text=request.args.get("format") == "txt",
    )
    return send_blob(blob)
