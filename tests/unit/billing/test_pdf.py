from __future__ import annotations

import io

from pypdf import PdfReader
from sqlmodel import select

from portal.models import Agency, Portal
from portal.tenancy import actor_for_user
from services.billing import pdf
from tests.factories.billing import make_invoice


def _text(blob) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(blob.stream.read())).pages)


def test_without_a_unicode_font_the_pdf_still_prints(db, tenants, monkeypatch) -> None:
    """On a machine without Liberation Sans the core font is used: currencies without a
    Latin-1 symbol print by code and other characters as "?", never an error."""
    monkeypatch.setattr(pdf, "FONT_DIRS", ())
    db.add(Agency(name="Nörthwind Stüdio ✓", primary_color="#0f766e"))
    inv = make_invoice(
        db,
        tenants.staff_admin,
        tenants.acme,
        currency="EUR",
        lines=[{"description": "Café — 設計", "unit_price": "10"}],
        payments=["2.50"],
    )
    portal = db.exec(select(Portal).where(Portal.company_id == tenants.acme.id)).one()
    blob = pdf.invoice_pdf(
        db, actor=actor_for_user(db, tenants.acme_admin), invoice_id=inv.id, portal=portal
    )
    text = _text(blob)
    assert "Nörthwind Stüdio ?" in text and "Café ? ??" in text
    assert "10.00 EUR" in text and "7.50 EUR" in text and "PART PAID" in text
