"""/api/portal: the client's invoices (reference 000). Group-aware; drafts do not exist here."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from blueprints.api import WORKER_SECURITY, api_blueprint, path_object
from blueprints.api.auth import require_client
from blueprints.api.portal.invoices_schemas import (
    WorkerInvoiceDetailOut,
    WorkerInvoicePath,
    WorkerInvoicesOut,
    WorkerInvoicesQuery,
    worker_invoice,
    worker_line,
    worker_payment,
)
from portal.db import get_session
from portal.models import Invoice
from portal.tenancy import Actor
from services import billing
from services.billing.queries import api_invoices, invoice_detail

bp = api_blueprint(
    "api_worker_invoices",
    __name__,
    url_prefix="/api/portal",
    tag="Portal worker: invoices",
    description="The client's invoices with their lines and payments (reference 000).",
    security=WORKER_SECURITY,
)


@path_object("invoice_id")
def _load_invoice(session: Session, actor: Actor, invoice_id: int) -> Invoice:
    return billing.get_invoice(session, actor=actor, invoice_id=invoice_id)


@bp.get("/invoices", summary="List invoices", responses={200: WorkerInvoicesOut})
def worker_invoices(query: WorkerInvoicesQuery) -> dict[str, Any]:
    """The group's invoices, newest first, optionally by status (overdue derived). Group-aware:
    a parent sees its children's, a child never its parent's."""
    rows, total = api_invoices(
        get_session(),
        actor=require_client(),
        status=query.status,
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return {
        "invoices": [worker_invoice(r.invoice, r.company_name, r.status) for r in rows],
        "limit": query.clamped_limit,
        "offset": query.offset,
        "total": total,
    }


@bp.get(
    "/invoices/<int:invoice_id>", summary="Get an invoice", responses={200: WorkerInvoiceDetailOut}
)
def worker_invoice_detail(path: WorkerInvoicePath) -> dict[str, Any]:
    """One invoice with its line items and payments."""
    detail = invoice_detail(get_session(), actor=require_client(), invoice_id=path.invoice_id)
    inv = detail.invoice
    return {
        "invoice": worker_invoice(inv, detail.company.name, detail.status),
        "lineItems": [worker_line(line, inv.currency) for line in detail.lines],
        "payments": [worker_payment(p) for p in detail.payments],
    }
