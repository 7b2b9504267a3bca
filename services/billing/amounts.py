"""Invoice arithmetic, in Decimal, rounded half-up to the currency's minor unit per line.

Each line rounds once per step (gross, discount, tax), so the invoice's totals are plain sums
of its lines' and ``total == Σ line totals`` holds exactly, whatever the currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from portal.models.billing import round_money, to_minor

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineAmounts:
    subtotal: Decimal  # quantity × unit price
    discount: Decimal
    tax: Decimal  # on the discounted amount
    total: Decimal


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    tax_rate: Decimal,
    discount_rate: Decimal,
    currency: str,
) -> LineAmounts:
    subtotal = round_money(quantity * unit_price, currency)
    discount = round_money(subtotal * discount_rate / HUNDRED, currency)
    tax = round_money((subtotal - discount) * tax_rate / HUNDRED, currency)
    return LineAmounts(subtotal, discount, tax, subtotal - discount + tax)


def totals(lines: Iterable[LineAmounts]) -> Totals:
    items = list(lines)
    zero = Decimal(0)
    return Totals(
        subtotal=sum((i.subtotal for i in items), zero),
        discount=sum((i.discount for i in items), zero),
        tax=sum((i.tax for i in items), zero),
        total=sum((i.total for i in items), zero),
    )


def minor(amount: Decimal, currency: str) -> int:
    return to_minor(amount, currency)
