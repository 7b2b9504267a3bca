"""/api/v1 invoices: the agency's billing over the API (create, edit drafts, send, void, record
payments), and reading them (a company key sees its company's sent invoices, never a draft)."""

from __future__ import annotations

from typing import Any

from blueprints.api import api_blueprint
from blueprints.api.auth import require_scope, require_staff
from blueprints.api.schemas import page_of
from blueprints.api.v1.invoices_schemas import (
    InvoiceApiPath,
    InvoiceCreateIn,
    InvoiceDetailRecord,
    InvoiceListQuery,
    InvoicePage,
    PaymentRecord,
    invoice_record,
    line_record,
    payment_record,
)
from blueprints.api.v1.portals import PortalPath
from portal.db import get_session
from portal.models.billing import InvoiceUpdate, InvoiceVoid, PaymentCreate
from portal.tenancy import Actor
from services import billing as service
from services.billing.queries import api_invoices, invoice_detail
from services.portals.admin import get_portal

bp = api_blueprint(
    "api_invoices",
    __name__,
    url_prefix="/api/v1",
    tag="Invoices",
    description="Invoices, their line items and payments. Scopes invoices:read, invoices:write.",
)


def _one(invoice_id: int, actor: Actor) -> dict[str, Any]:
    detail = invoice_detail(get_session(), actor=actor, invoice_id=invoice_id)
    inv = detail.invoice
    return {
        **invoice_record(inv, detail.status),
        "line_items": [line_record(line, inv.currency) for line in detail.lines],
        "payments": [payment_record(p) for p in detail.payments],
    }


@bp.get(
    "/portals/<int:portal_id>/invoices",
    summary="List a portal's invoices",
    responses={200: InvoicePage},
)
def list_portal_invoices(path: PortalPath, query: InvoiceListQuery):
    """Newest first, optionally by status (overdue derived). Drafts only for the agency.
    Scope invoices:read."""
    actor = require_scope("invoices:read")
    session = get_session()
    portal = get_portal(session, actor=actor, portal_id=path.portal_id)
    rows, total = api_invoices(
        session,
        actor=actor,
        company_id=portal.company_id,
        status=query.status,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return page_of([invoice_record(r.invoice, r.status) for r in rows], total, query)


@bp.post(
    "/portals/<int:portal_id>/invoices",
    summary="Create a draft invoice",
    responses={201: InvoiceDetailRecord},
)
def create_portal_invoice(path: PortalPath, body: InvoiceCreateIn):
    """A draft numbered from the agency's sequence. Staff and agency keys; scope
    invoices:write."""
    actor = require_staff("invoices:write")
    session = get_session()
    portal = get_portal(session, actor=actor, portal_id=path.portal_id)
    inv = service.create_invoice(session, actor=actor, company_id=portal.company_id, data=body)
    return _one(inv.id, actor), 201  # type: ignore[arg-type]


@bp.get(
    "/invoices/<int:invoice_id>", summary="Get an invoice", responses={200: InvoiceDetailRecord}
)
def get_invoice(path: InvoiceApiPath):
    """One invoice with its line items and payments. Scope invoices:read."""
    return _one(path.invoice_id, require_scope("invoices:read"))


@bp.patch(
    "/invoices/<int:invoice_id>", summary="Edit a draft", responses={200: InvoiceDetailRecord}
)
def update_invoice(path: InvoiceApiPath, body: InvoiceUpdate):
    """Only the fields sent change; ``lines`` replaces every line. 409 once sent. Staff;
    scope invoices:write."""
    actor = require_staff("invoices:write")
    service.update_invoice(get_session(), actor=actor, invoice_id=path.invoice_id, data=body)
    return _one(path.invoice_id, actor)


@bp.post(
    "/invoices/<int:invoice_id>/send",
    summary="Send an invoice",
    responses={200: InvoiceDetailRecord},
)
def send_invoice(path: InvoiceApiPath):
    """draft -> sent: the client sees it and its contacts are notified (invoice_sent). Staff;
    scope invoices:write."""
    actor = require_staff("invoices:write")
    service.send_invoice(get_session(), actor=actor, invoice_id=path.invoice_id)
    return _one(path.invoice_id, actor)


@bp.post(
    "/invoices/<int:invoice_id>/void",
    summary="Void an invoice",
    responses={200: InvoiceDetailRecord},
)
def void_invoice(path: InvoiceApiPath, body: InvoiceVoid):
    """Cancel an invoice nothing was paid on (409 otherwise); the number stays used. Staff;
    scope invoices:write."""
    actor = require_staff("invoices:write")
    service.void_invoice(get_session(), actor=actor, invoice_id=path.invoice_id, data=body)
    return _one(path.invoice_id, actor)


@bp.post(
    "/invoices/<int:invoice_id>/payments",
    summary="Record a payment",
    responses={201: PaymentRecord},
)
def record_invoice_payment(path: InvoiceApiPath, body: PaymentCreate):
    """Money received on a sent or part-paid invoice; more than the balance is a 422. Staff;
    scope invoices:write."""
    actor = require_staff("invoices:write")
    payment = service.record_payment(
        get_session(), actor=actor, invoice_id=path.invoice_id, data=body
    )
    return payment_record(payment), 201
