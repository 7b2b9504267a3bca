"""An invoice as a PDF (fpdf2, pure Python): the agency's name and the portal's accent colour,
who is billed, the lines, the totals, payments and the payment instructions.

Text is set in Liberation Sans when the machine has it (every character prints); otherwise in
the PDF core font Helvetica, where characters outside Latin-1 print as "?" and currencies without
a Latin-1 symbol print by their code.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlmodel import Session, select

from portal.models import Agency, Portal
from portal.models.billing import CURRENCY_SYMBOLS, minor_units, plain_decimal, round_money
from portal.storage import Blob
from portal.tenancy import Actor
from services.billing.queries import InvoiceDetail, invoice_detail

FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation"), Path("/usr/share/fonts/liberation"))
DEFAULT_ACCENT = "#4f46e5"
STATUS_LABELS = {
    "draft": "DRAFT",
    "sent": "DUE",
    "partial": "PART PAID",
    "overdue": "OVERDUE",
    "paid": "PAID",
    "void": "VOID",
}


def _rgb(colour: str | None) -> tuple[int, int, int]:
    value = (colour or DEFAULT_ACCENT).lstrip("#")
    if len(value) != 6:
        value = DEFAULT_ACCENT.lstrip("#")
    try:
        r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return _rgb(DEFAULT_ACCENT)
    return r, g, b


class InvoicePDF(FPDF):
    def __init__(self, *, footer_text: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer_text
        self.unicode = self._load_font()
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(18, 18, 18)

    def _load_font(self) -> bool:
        for folder in FONT_DIRS:
            regular, bold = (
                folder / "LiberationSans-Regular.ttf",
                folder / "LiberationSans-Bold.ttf",
            )
            if regular.is_file() and bold.is_file():
                self.add_font("body", "", str(regular))
                self.add_font("body", "B", str(bold))
                return True
        return False

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font("body" if self.unicode else "helvetica", "B" if bold else "", size)

    def safe(self, text: str) -> str:
        if self.unicode:
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    def money(self, amount: Decimal, currency: str) -> str:
        digits = minor_units(currency)
        text = f"{abs(round_money(amount, currency)):,.{digits}f}"
        sign = "-" if amount < 0 else ""
        symbol = CURRENCY_SYMBOLS.get(currency, "")
        if symbol and (self.unicode or symbol == self.safe(symbol)):
            return f"{sign}{symbol}{text}"
        return f"{sign}{text} {currency}"

    def footer(self) -> None:
        self.set_y(-14)
        self.font(8)
        self.set_text_color(120, 128, 140)
        self.cell(0, 5, self.safe(self.footer_text), align="L")
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")


def render_invoice(
    detail: InvoiceDetail, *, agency: Agency, accent: str | None, today: date | None = None
) -> bytes:
    """The PDF bytes of one invoice."""
    inv = detail.invoice
    cur = inv.currency
    pdf = InvoicePDF(footer_text=f"{agency.name} · Invoice {inv.number}")
    pdf.alias_nb_pages()
    pdf.add_page()
    accent_rgb = _rgb(accent)
    width = pdf.w - pdf.l_margin - pdf.r_margin

    # accent band and header
    pdf.set_fill_color(*accent_rgb)
    pdf.rect(0, 0, pdf.w, 8, style="F")
    pdf.set_y(18)
    pdf.set_text_color(17, 24, 39)
    pdf.font(20, bold=True)
    pdf.cell(width / 2, 10, pdf.safe(agency.name))
    pdf.set_text_color(*accent_rgb)
    pdf.font(22, bold=True)
    pdf.cell(width / 2, 10, "INVOICE", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(91, 100, 117)
    pdf.font(10)
    pdf.cell(width / 2, 6, pdf.safe(agency.support_email or ""))
    pdf.cell(width / 2, 6, inv.number, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if inv.title:
        pdf.cell(0, 6, pdf.safe(inv.title), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)

    # who is billed, and the invoice's facts
    top = pdf.get_y()
    pdf.font(8, bold=True)
    pdf.set_text_color(91, 100, 117)
    pdf.cell(width / 2, 5, "BILL TO", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font(12, bold=True)
    pdf.set_text_color(17, 24, 39)
    pdf.multi_cell(width / 2 - 4, 6, pdf.safe(detail.company.name))
    if detail.project is not None:
        pdf.font(10)
        pdf.set_text_color(91, 100, 117)
        pdf.multi_cell(width / 2 - 4, 5, pdf.safe(f"Project: {detail.project.name}"))
    left_bottom = pdf.get_y()
    status = detail.invoice.display_status(today or date.today())
    facts = [
        ("Issue date", f"{inv.issue_date:%d %b %Y}"),
        ("Due date", f"{inv.due_date:%d %b %Y}"),
        ("Currency", cur),
        ("Status", STATUS_LABELS.get(status, status.upper())),
    ]
    pdf.set_y(top)
    for label, value in facts:
        pdf.set_x(pdf.l_margin + width / 2)
        pdf.font(9)
        pdf.set_text_color(91, 100, 117)
        pdf.cell(width / 4, 6, label)
        pdf.font(10, bold=True)
        pdf.set_text_color(*(accent_rgb if label == "Status" else (17, 24, 39)))
        pdf.cell(width / 4, 6, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 8)

    # the lines
    cols = [
        ("Description", width * 0.40, "L"),
        ("Qty", width * 0.10, "R"),
        ("Unit price", width * 0.16, "R"),
        ("Disc.", width * 0.09, "R"),
        ("Tax", width * 0.09, "R"),
        ("Amount", width * 0.16, "R"),
    ]
    pdf.set_fill_color(*accent_rgb)
    pdf.set_text_color(255, 255, 255)
    pdf.font(9, bold=True)
    for label, w, align in cols:
        pdf.cell(w, 8, f" {label} " if align == "L" else f"{label} ", align=align, fill=True)
    pdf.ln(8)
    pdf.set_text_color(17, 24, 39)
    pdf.set_draw_color(227, 230, 238)
    for line in detail.lines:
        pdf.font(9.5)
        values = [
            pdf.safe(line.description),
            plain_decimal(line.quantity),
            pdf.money(line.unit_price, cur),
            f"{plain_decimal(line.discount_rate)}%" if line.discount_rate else "–",
            f"{plain_decimal(line.tax_rate)}%" if line.tax_rate else "–",
            pdf.money(Decimal(line.subtotal_minor).scaleb(-minor_units(cur)), cur),
        ]
        if not pdf.unicode:
            values[3] = values[3].replace("–", "-")
            values[4] = values[4].replace("–", "-")
        y = pdf.get_y()
        pdf.multi_cell(cols[0][1], 7, " " + values[0], new_x=XPos.RIGHT, new_y=YPos.TOP)
        height = max(pdf.get_y() - y, 7)
        end_y = y + height
        x = pdf.l_margin + cols[0][1]
        for (_, w, align), value in zip(cols[1:], values[1:], strict=True):
            pdf.set_xy(x, y)
            pdf.cell(w, 7, value + " ", align=align)
            x += w
        pdf.set_y(end_y)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    if not detail.lines:
        pdf.font(9.5)
        pdf.cell(0, 8, " No lines yet.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    # totals
    rows: list[tuple[str, Decimal, bool]] = [("Subtotal", inv.subtotal, False)]
    if inv.discount_minor:
        rows.append(("Discount", -inv.discount_total, False))
    rows += [("Tax", inv.tax_total, False), ("Total", inv.total, True)]
    if inv.paid_minor:
        rows += [("Paid", -inv.amount_paid, False)]
    rows.append(("Balance due", inv.balance, True))
    label_w, value_w = width * 0.22, width * 0.18
    for label, amount, strong in rows:
        pdf.set_x(pdf.l_margin + width - label_w - value_w)
        pdf.font(10.5 if strong else 9.5, bold=strong)
        colour = accent_rgb if label == "Balance due" else (17, 24, 39)
        pdf.set_text_color(*colour)
        pdf.cell(label_w, 7, label)
        pdf.cell(value_w, 7, pdf.money(amount, cur), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(17, 24, 39)

    if detail.payments:
        pdf.ln(4)
        _heading(pdf, "PAYMENTS RECEIVED")
        pdf.font(9.5)
        for p in detail.payments:
            method = p.method.replace("_", " ")
            ref = f" · {p.reference}" if p.reference else ""
            pdf.cell(width * 0.7, 6, pdf.safe(f"{p.paid_on:%d %b %Y} · {method}{ref}"))
            pdf.cell(width * 0.3, 6, pdf.money(p.amount, cur), align="R")
            pdf.ln(6)

    for title, text in (("PAYMENT INSTRUCTIONS", inv.payment_instructions), ("NOTES", inv.notes)):
        if text:
            pdf.ln(4)
            _heading(pdf, title)
            pdf.font(9.5)
            pdf.multi_cell(0, 5.5, pdf.safe(text))
    return bytes(pdf.output())


def _heading(pdf: InvoicePDF, text: str) -> None:
    pdf.font(8, bold=True)
    pdf.set_text_color(91, 100, 117)
    pdf.cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(17, 24, 39)


def invoice_pdf(session: Session, *, actor: Actor, invoice_id: int, portal: Portal) -> Blob:
    """The invoice as a PDF download (a client asking for a draft gets 404 like anywhere)."""
    detail = invoice_detail(session, actor=actor, invoice_id=invoice_id)
    agency = session.exec(select(Agency).limit(1)).first() or Agency(name="Stoa")
    accent = portal.accent_color or agency.primary_color
    raw = render_invoice(detail, agency=agency, accent=accent)
    return Blob(
        name=f"{detail.invoice.number}.pdf",
        content_type="application/pdf",
        size=len(raw),
        stream=io.BytesIO(raw),
        inline_ok=True,
    )
