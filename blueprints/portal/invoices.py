"""Invoices tab: the group's invoices, one invoice with its lines, payments and notes, its PDF;
and for billing staff the draft editor, sending, voiding and recording payments."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, flash, request, url_for

from blueprints._portal import portal_blueprint, portal_ctx
from portal.db import get_session
from portal.errors import Conflict, Invalid
from portal.models.billing import (
    CURRENCIES,
    DISPLAY_STATUSES,
    MAX_LINES,
    PAYMENT_METHODS,
    InvoiceCreate,
    InvoiceUpdate,
    InvoiceVoid,
    PaymentCreate,
)
from portal.models.note import NoteCreate
from portal.tenancy import Actor
from portal.validation import form_data, validated
from portal.web.args import page_arg
from portal.web.downloads import send_blob
from portal.web.htmx import hx_redirect, perform, render_page
from portal.web.pagecache import cacheable
from portal.web.urls import base_url
from services import billing as service
from services.billing import checkout, pdf
from services.billing.queries import SORTS, invoice_detail, invoices_page
from services.portals import PortalContext

bp = portal_blueprint("invoices", __name__)

LINE_FIELDS = ("description", "quantity", "unit_price", "tax_rate", "discount_rate")
BLANK_LINES = 3


def _here() -> tuple[PortalContext, Actor]:
    ctx = portal_ctx()
    return ctx, ctx.actor  # invoices are group-aware: the parent's portal shows its children's


def document_form(form: Mapping[str, Any], line_fields: tuple[str, ...]) -> dict[str, Any]:
    """A billing document's editor (invoices, budgets): its fields, and its line rows
    (``line_<field>`` repeated, a row left empty is no line) as ``lines``."""
    columns = {f: form.getlist(f"line_{f}") for f in line_fields}  # type: ignore[attr-defined]
    count = min(max((len(v) for v in columns.values()), default=0), MAX_LINES + BLANK_LINES)
    lines = []
    for i in range(count):
        row = {f: (columns[f][i] if i < len(columns[f]) else "").strip() for f in line_fields}
        if row["description"] or row["unit_price"]:
            lines.append(row)
    data = {k: v for k, v in form_data(form).items() if not k.startswith("line_")}
    return {**data, "lines": lines}


def _invoice_form(form: Mapping[str, Any]) -> dict[str, Any]:
    data = document_form(form, LINE_FIELDS)
    for name in ("issue_date", "due_date"):
        if not data.get(name):
            data.pop(name, None)
    return data


# List ----------------------------------------------------------------------------------------


def _render_index(status_code: int = 200, **extra: Any) -> Response:
    ctx, actor = _here()
    view = invoices_page(
        get_session(),
        actor=actor,
        company_id=ctx.portal.company_id,
        can_write=ctx.can_write,
        status=request.args.get("status", ""),
        q=request.args.get("q", ""),
        sort=request.args.get("sort", ""),
        page=page_arg(request.args),
    )
    context: dict[str, Any] = {"form": {}, "form_lines": [], "errors": {}, "open_form": False}
    context.update(extra)
    return render_page(
        "invoices/index.html",
        status=status_code,
        ctx=ctx,
        view=view,
        statuses=DISPLAY_STATUSES,
        sorts=SORTS,
        currencies=CURRENCIES,
        blank_lines=BLANK_LINES,
        active_tab="invoices",
        page_title="Invoices",
        **context,
    )


@bp.get("/invoices")
@cacheable
def index() -> Response:
    return _render_index()


@bp.post("/invoices")
def create() -> Response:
    ctx, actor = _here()
    raw = _invoice_form(request.form)
    try:
        invoice = service.create_invoice(
            get_session(),
            actor=ctx.company_actor,
            company_id=ctx.portal.company_id,
            data=validated(InvoiceCreate, raw),
        )
    except Invalid as exc:
        return _render_index(
            422, form=request.form, form_lines=raw["lines"], errors=exc.errors, open_form=True
        )
    flash(f"Draft {invoice.number} created. Only your team can see it until you send it.")
    return hx_redirect(url_for("invoices.detail", invoice_id=invoice.id))


# Detail and actions --------------------------------------------------------------------------


def _render_detail(invoice_id: int, status_code: int = 200, **extra: Any) -> Response:
    ctx, actor = _here()
    detail = invoice_detail(
        get_session(), actor=actor, invoice_id=invoice_id, can_write=ctx.can_write
    )
    context: dict[str, Any] = {"errors": {}, "form": {}, "form_lines": None, "draft": ""}
    context.update(extra)
    return render_page(
        "invoices/detail.html",
        status=status_code,
        ctx=ctx,
        detail=detail,
        inv=detail.invoice,
        actor=actor,
        currencies=CURRENCIES,
        methods=PAYMENT_METHODS,
        blank_lines=BLANK_LINES,
        active_tab="invoices",
        page_title=f"Invoice {detail.invoice.number}",
        can_pay_online=ctx.can_write
        and checkout.online_payment_enabled()
        and checkout.payable(detail.invoice),
        pay_online_minor=checkout.chargeable_minor(detail.invoice),
        just_paid=request.args.get("paid") == "1",
        **context,
    )


@bp.get("/invoices/<int:invoice_id>")
def detail(invoice_id: int) -> Response:
    return _render_detail(invoice_id)


def _act(
    invoice_id: int, action: Callable[[Actor], object], message: str, **render_extra: Any
) -> Response:
    """Run one service action; a refused one re-renders the page with the reason."""
    _, actor = _here()
    return perform(
        lambda: action(actor),
        message=message,
        location=url_for("invoices.detail", invoice_id=invoice_id),
        refused=lambda status, **why: _render_detail(invoice_id, status, **why, **render_extra),
    )


@bp.post("/invoices/<int:invoice_id>")
def update(invoice_id: int) -> Response:
    raw = _invoice_form(request.form)
    return _act(
        invoice_id,
        lambda actor: service.update_invoice(
            get_session(),
            actor=actor,
            invoice_id=invoice_id,
            data=validated(InvoiceUpdate, raw),
        ),
        "Draft saved.",
        form=request.form,
        form_lines=raw["lines"],
    )


@bp.post("/invoices/<int:invoice_id>/send")
def send(invoice_id: int) -> Response:
    return _act(
        invoice_id,
        lambda actor: service.send_invoice(get_session(), actor=actor, invoice_id=invoice_id),
        "Invoice sent. The client's contacts have been notified.",
    )


@bp.post("/invoices/<int:invoice_id>/void")
def void(invoice_id: int) -> Response:
    return _act(
        invoice_id,
        lambda actor: service.void_invoice(
            get_session(),
            actor=actor,
            invoice_id=invoice_id,
            data=validated(InvoiceVoid, form_data(request.form)),
        ),
        "Invoice voided. Its number stays used.",
    )


@bp.post("/invoices/<int:invoice_id>/payments")
def record_payment(invoice_id: int) -> Response:
    raw = {k: v for k, v in form_data(request.form).items() if v != ""}
    return _act(
        invoice_id,
        lambda actor: service.record_payment(
            get_session(),
            actor=actor,
            invoice_id=invoice_id,
            data=validated(PaymentCreate, raw),
        ),
        "Payment recorded.",
        form=request.form,
    )


@bp.post("/invoices/<int:invoice_id>/notes")
def add_note(invoice_id: int) -> Response:
    body = request.form.get("body", "")
    fields = form_data(request.form) | {"resource_type": "invoice", "resource_id": invoice_id}
    return _act(
        invoice_id,
        lambda actor: service.add_note(
            get_session(), actor=actor, invoice_id=invoice_id, data=validated(NoteCreate, fields)
        ),
        "Note posted.",
        draft=body,
    )


@bp.post("/invoices/<int:invoice_id>/pay")
def pay(invoice_id: int) -> Response:
    """Off to Stripe's hosted checkout; the payment is recorded by its webhook, not here."""
    _, actor = _here()
    back = base_url() + url_for("invoices.detail", invoice_id=invoice_id)
    try:
        url = checkout.start_checkout(
            get_session(),
            actor=actor,
            invoice_id=invoice_id,
            success_url=f"{back}?paid=1",
            cancel_url=back,
        )
    except Conflict as exc:
        return _render_detail(invoice_id, 409, errors={"_": [exc.message]})
    return hx_redirect(url)


@bp.get("/invoices/<int:invoice_id>/pdf")
def download_pdf(invoice_id: int) -> Response:
    ctx, actor = _here()
    blob = pdf.invoice_pdf(get_session(), actor=actor, invoice_id=invoice_id, portal=ctx.portal)
    return send_blob(blob, inline=request.args.get("inline") == "1")
