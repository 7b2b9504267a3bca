"""Property tests over random invoices: the arithmetic is exact, and the database's financial
summary is what the invoice list adds up to, for a company and for its group."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from portal.models import InvoiceLine
from portal.models.billing import CURRENCY_MINOR_UNITS, InvoiceVoid, PaymentCreate
from portal.tenancy import actor_for_user
from services import billing as service
from services.billing.queries import financial_summary, list_invoices
from tests.factories.billing import make_invoice

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _dec(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-places))


line_st = st.fixed_dictionaries(
    {
        "description": st.just("Work"),
        "quantity": _dec(1, 1_000_000, 3),  # 0.001 … 1000
        "unit_price": _dec(0, 100_000_0000, 4),  # 0 … 100000
        "tax_rate": _dec(0, 30_000, 3),
        "discount_rate": _dec(0, 100_000, 3),
    }
)
currency_st = st.sampled_from(["USD", "JPY", "KWD", "EUR"])


def _reference_line(line: dict, currency: str) -> Decimal:
    """The line total as a person would work it out, independently of the service."""
    q = Decimal(1).scaleb(-CURRENCY_MINOR_UNITS[currency])

    def r(x: Decimal) -> Decimal:
        return x.quantize(q, rounding=ROUND_HALF_UP)

    gross = r(line["quantity"] * line["unit_price"])
    discount = r(gross * line["discount_rate"] / 100)
    return gross - discount + r((gross - discount) * line["tax_rate"] / 100)


@SETTINGS
@given(
    lines=st.lists(line_st, min_size=1, max_size=6),
    currency=currency_st,
    shares=st.lists(st.integers(1, 100), max_size=4),
)
def test_total_is_the_sum_of_lines_and_balance_what_is_left(
    db, tenants, lines, currency, shares
) -> None:
    inv = make_invoice(
        db,
        tenants.staff_admin,
        tenants.acme,
        lines=[{k: str(v) for k, v in line.items()} for line in lines],
        currency=currency,
    )
    rows = db.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == inv.id)).all()
    expected = sum((_reference_line(line, currency) for line in lines), Decimal(0))
    assert inv.total == expected
    assert inv.total_minor == sum(r.total_minor for r in rows)
    assert inv.total == inv.subtotal - inv.discount_total + inv.tax_total
    staff = actor_for_user(db, tenants.staff_admin)
    paid = Decimal(0)
    for share in shares:
        left = inv.balance
        amount = (left * share / 100).quantize(
            Decimal(1).scaleb(-CURRENCY_MINOR_UNITS[currency]), rounding=ROUND_HALF_UP
        )
        if amount <= 0 or inv.status == "paid":
            continue
        service.record_payment(
            db, actor=staff, invoice_id=inv.id, data=PaymentCreate(amount=amount)
        )
        paid += amount
        assert inv.balance == inv.total - paid
    assert inv.amount_paid == paid
    assert inv.status == ("paid" if inv.balance == 0 and paid else "partial" if paid else "sent")


invoice_st = st.fixed_dictionaries(
    {
        "child": st.booleans(),
        "currency": st.sampled_from(["USD", "EUR"]),
        "kind": st.sampled_from(["draft", "sent", "partial", "paid", "void", "overdue"]),
        "lines": st.lists(line_st, min_size=1, max_size=3),
    }
)


def _list_sums(db, actor) -> dict[str, dict[str, Decimal]]:
    """What the invoice list a person sees adds up to, per currency."""
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in list_invoices(db, actor=actor, per_page=100).rows:
        inv = row.invoice
        if row.status in ("draft", "void"):
            continue
        sums[inv.currency]["invoiced"] += inv.total
        sums[inv.currency]["outstanding"] += inv.balance
        if row.status == "overdue":
            sums[inv.currency]["overdue"] += inv.balance
    return sums


@SETTINGS
@given(invoices=st.lists(invoice_st, min_size=1, max_size=8))
def test_financial_summary_equals_the_list_for_company_and_group(
    db, make_company, make_user, tenants, invoices
) -> None:
    parent = make_company(f"P {uuid.uuid4().hex[:6]}")
    child = make_company(f"C {uuid.uuid4().hex[:6]}", parent=parent)
    staff = actor_for_user(db, tenants.staff_admin)
    for spec in invoices:
        lines = [{k: str(v) for k, v in line.items()} for line in spec["lines"]]
        kind = spec["kind"]
        inv = make_invoice(
            db,
            tenants.staff_admin,
            child if spec["child"] else parent,
            lines=lines,
            currency=spec["currency"],
            send=kind != "draft",
            overdue=kind == "overdue",
        )
        if kind in ("partial", "paid", "overdue") and inv.total_minor > 1:
            amount = inv.total if kind == "paid" else (inv.total / 2).quantize(Decimal("0.01"))
            service.record_payment(
                db, actor=staff, invoice_id=inv.id, data=PaymentCreate(amount=amount)
            )
        if kind == "void":
            service.void_invoice(db, actor=staff, invoice_id=inv.id, data=InvoiceVoid())
    for user in (make_user(parent, "viewer"), make_user(child, "viewer")):
        actor = actor_for_user(db, user)
        listed = _list_sums(db, actor)
        summary = {s.currency: s for s in financial_summary(db, actor=actor)}
        assert set(summary) == set(listed)
        for currency, s in summary.items():
            assert s.invoiced == listed[currency]["invoiced"]
            assert s.outstanding == listed[currency]["outstanding"]
            assert s.overdue == listed[currency]["overdue"]
