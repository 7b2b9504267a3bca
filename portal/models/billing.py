"""Billing: invoices, their line items and payments, and the agency's invoice number sequence.

Money is exact: amounts are stored as integers in the currency's minor unit (cents, yen, fils)
so every backend sums them exactly, and read back as ``Decimal``. Quantities, unit prices and
rates keep their decimal text. ``overdue`` is never stored: it is derived from the due date and
the balance at read time (:func:`overdue_condition`, :meth:`Invoice.display_status`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

import pydantic
from pydantic import BeforeValidator
from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, and_, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel, col

from portal.models.base import UTCDateTime, utcnow
from portal.validation import InputModel
from portal.web.args import MAX_ID, parse_int

# ISO 4217 currencies Stoa bills in -> digits of the minor unit.
CURRENCY_MINOR_UNITS: dict[str, int] = {
    "AUD": 2,
    "BHD": 3,
    "BRL": 2,
    "CAD": 2,
    "CHF": 2,
    "CLP": 0,
    "CNY": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "HUF": 2,
    "INR": 2,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "MXN": 2,
    "NOK": 2,
    "NZD": 2,
    "OMR": 3,
    "PLN": 2,
    "SEK": 2,
    "SGD": 2,
    "TND": 3,
    "USD": 2,
    "ZAR": 2,
}
CURRENCY_SYMBOLS: dict[str, str] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "AUD": "A$",
    "CAD": "C$",
    "NZD": "NZ$",
    "INR": "₹",
    "KRW": "₩",
}
CURRENCIES: tuple[str, ...] = tuple(sorted(CURRENCY_MINOR_UNITS))
DEFAULT_CURRENCY = "USD"


def minor_units(currency: str) -> int:
    return CURRENCY_MINOR_UNITS[currency]


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Half-up to the currency's minor unit (0.005 USD -> 0.01; 0.5 JPY -> 1)."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    return int(round_money(amount, currency).scaleb(minor_units(currency)))


def from_minor(value: int | None, currency: str) -> Decimal:
    return Decimal(int(value or 0)).scaleb(-minor_units(currency)).quantize(quantum(currency))


def format_amount(amount: Decimal, currency: str) -> str:
    """``1234.5`` USD -> ``$1,234.50``; JPY has no decimals; unknown symbols use the code."""
    digits = minor_units(currency)
    text = f"{abs(round_money(amount, currency)):,.{digits}f}"
    sign = "-" if amount < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def plain_amount(amount: Decimal, currency: str) -> str:
    """The API's form: no grouping, exactly the currency's minor digits (``1234.50``)."""
    return f"{round_money(amount, currency):.{minor_units(currency)}f}"


def plain_decimal(value: Decimal) -> str:
    """``2.500`` -> ``2.5``, ``100`` -> ``100`` (never an exponent)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class DecimalText(TypeDecorator):
    """A Decimal kept as its exact text (quantities, unit prices, rates): no float anywhere."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> str | None:
        return None if value is None else format(Decimal(value), "f")

    def process_result_value(self, value: str | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


class InvoiceStatus(StrEnum):
    """Stored statuses; ``overdue`` is derived (see module doc)."""

    draft = "draft"
    sent = "sent"
    partial = "partial"
    paid = "paid"
    void = "void"


OVERDUE = "overdue"
# what a person can filter by: the stored ones and the derived one, in lifecycle order
DISPLAY_STATUSES: tuple[str, ...] = ("draft", "sent", "partial", OVERDUE, "paid", "void")
OPEN_STATUSES: tuple[str, ...] = (InvoiceStatus.sent.value, InvoiceStatus.partial.value)
# statuses that count as invoiced (the financial summary)
BILLED_STATUSES: tuple[str, ...] = (*OPEN_STATUSES, InvoiceStatus.paid.value)

PaymentMethodValue = Literal["bank_transfer", "card", "cash", "cheque", "online", "other"]
PAYMENT_METHODS: tuple[str, ...] = get_args(PaymentMethodValue)


class InvoiceCounter(SQLModel, table=True):
    """The agency's invoice number sequence: one row, bumped under its row lock in the
    transaction that creates the invoice, so a number is never handed out twice or reused."""

    __tablename__ = "invoice_counter"

    id: int | None = Field(default=None, primary_key=True)
    # one instance runs one agency: its sequence is the row keyed "agency"
    key: str = Field(default="agency", max_length=32, unique=True)
    prefix: str = Field(default="INV-", max_length=12)
    last_number: int = 0


class Invoice(SQLModel, table=True):
    """One invoice to a company. Its totals are kept in step with its lines by the service
    (lines change only while it is a draft); ``amount_paid_minor`` with its payments."""

    __tablename__ = "invoice"
    __tenant_column__ = "company_id"
    __table_args__ = (
        Index("ix_invoice_company_status", "company_id", "status"),
        Index("ix_invoice_company_issue", "company_id", "issue_date"),
        Index("ix_invoice_company_due", "company_id", "due_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False)
    )
    project_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("project.id", ondelete="SET NULL"), index=True),
    )
    sequence: int = Field(sa_column=Column(Integer, nullable=False, unique=True))
    number: str = Field(max_length=32, unique=True)
    title: str = Field(default="", max_length=200)
    currency: str = Field(default=DEFAULT_CURRENCY, max_length=3)
    status: str = Field(default=InvoiceStatus.draft.value, max_length=16)
    issue_date: date
    due_date: date
    notes: str = Field(default="", max_length=4000)
    payment_instructions: str = Field(default="", max_length=2000)
    subtotal_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    discount_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    tax_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    total_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    paid_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    void_reason: str = Field(default="", max_length=500)
    # set once the daily job told the client it is overdue (invoice_overdue): never twice
    overdue_notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @classmethod
    def __staff_only__(cls) -> Any:
        """A draft (or a draft voided before it was ever sent) is the agency's work in
        progress: no client response ever includes it."""
        return or_(col(cls.status) == InvoiceStatus.draft.value, col(cls.sent_at).is_(None))

    def _money(self, minor: int) -> Decimal:
        return from_minor(minor, self.currency)

    @property
    def subtotal(self) -> Decimal:
        return self._money(self.subtotal_minor)

    @property
    def discount_total(self) -> Decimal:
        return self._money(self.discount_minor)

    @property
    def tax_total(self) -> Decimal:
        return self._money(self.tax_minor)

    @property
    def total(self) -> Decimal:
        return self._money(self.total_minor)

    @property
    def amount_paid(self) -> Decimal:
        return self._money(self.paid_minor)

    @property
    def balance(self) -> Decimal:
        return self._money(self.total_minor - self.paid_minor)

    @property
    def refund_due_minor(self) -> int:
        """Money received that the invoice does not owe: everything paid on a void invoice (a
        checkout completed after it was voided), or what was paid beyond its total. It is kept
        (money taken is never lost) and owed back as a refund or credit."""
        if self.status == InvoiceStatus.void:
            return self.paid_minor
        return max(self.paid_minor - self.total_minor, 0)

    @property
    def refund_due(self) -> Decimal:
        return self._money(self.refund_due_minor)

    def is_overdue(self, today: date) -> bool:
        return (
            self.status in OPEN_STATUSES
            and self.due_date < today
            and self.total_minor > self.paid_minor
        )

    def display_status(self, today: date) -> str:
        return OVERDUE if self.is_overdue(today) else self.status

    def fmt(self, amount: Decimal) -> str:
        return format_amount(amount, self.currency)

    def fmt_minor(self, value: int) -> str:
        return format_amount(from_minor(value, self.currency), self.currency)


def overdue_condition(today: date) -> Any:
    """SQL for "overdue today": open, past due, something left to pay."""
    return and_(
        col(Invoice.status).in_(OPEN_STATUSES),
        col(Invoice.due_date) < today,
        col(Invoice.total_minor) > col(Invoice.paid_minor),
    )


def refund_due_condition() -> Any:
    """SQL for "money to give back" (see ``Invoice.refund_due_minor``)."""
    return or_(
        and_(col(Invoice.status) == InvoiceStatus.void.value, col(Invoice.paid_minor) > 0),
        col(Invoice.paid_minor) > col(Invoice.total_minor),
    )


def _invoice_is_draft(owner_column: Any) -> Any:
    """Rows of an invoice the client may not see (see ``Invoice.__staff_only__``)."""
    owner = aliased(Invoice)
    sent = sa_select(col(owner.sent_at)).where(col(owner.id) == owner_column).scalar_subquery()
    return sent.is_(None)


class InvoiceLine(SQLModel, table=True):
    """A line item; its computed amounts (minor units) are stored beside the inputs."""

    __tablename__ = "invoice_line"
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("invoice.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int = 0
    description: str = Field(max_length=500)
    quantity: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    unit_price: Decimal = Field(sa_column=Column(DecimalText(), nullable=False))
    tax_rate: Decimal = Field(default=Decimal(0), sa_column=Column(DecimalText(), nullable=False))
    discount_rate: Decimal = Field(
        default=Decimal(0), sa_column=Column(DecimalText(), nullable=False)
    )
    subtotal_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    discount_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    tax_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    total_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))

    @classmethod
    def __staff_only__(cls) -> Any:
        return _invoice_is_draft(cls.invoice_id)

    @property
    def quantity_text(self) -> str:
        return plain_decimal(self.quantity)

    @property
    def tax_text(self) -> str:
        return plain_decimal(self.tax_rate)

    @property
    def discount_text(self) -> str:
        return plain_decimal(self.discount_rate)


class InvoicePayment(SQLModel, table=True):
    """Money received against an invoice (recorded by staff; never edited, only added)."""

    __tablename__ = "invoice_payment"
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("invoice.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    amount_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(max_length=3)
    paid_on: date
    method: str = Field(default="bank_transfer", max_length=24)
    reference: str = Field(default="", max_length=200)
    recorded_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @classmethod
    def __staff_only__(cls) -> Any:
        return _invoice_is_draft(cls.invoice_id)

    @property
    def amount(self) -> Decimal:
        return from_minor(self.amount_minor, self.currency)


class StripeEvent(SQLModel, table=True):
    """A Stripe webhook event already applied: its id makes a replay a no-op."""

    __tablename__ = "stripe_event"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(sa_column=Column(String(255), nullable=False, unique=True))
    type: str = Field(max_length=100)
    invoice_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("invoice.id", ondelete="SET NULL"), index=True),
    )
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Input families ------------------------------------------------------------------------------


def _decimal(
    label: str, *, low: Decimal, high: Decimal, places: int, blank: Decimal | None = None
) -> Any:
    def parse(value: Any) -> Decimal:
        if value is None or (isinstance(value, str) and not value.strip()):
            if blank is not None:
                return blank
            raise ValueError(f"Enter {label}.")
        if isinstance(value, float):
            value = repr(value)
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"Enter {label} as a number.") from None
        if not number.is_finite() or not low <= number <= high:
            raise ValueError(f"Enter {label} between {low} and {high}.")
        if number != number.quantize(Decimal(1).scaleb(-places)):
            raise ValueError(f"Use at most {places} decimal places for {label}.")
        return number.normalize() if number == number.to_integral() else number

    return BeforeValidator(parse)


MAX_AMOUNT = Decimal("999999999.9999")
Quantity = Annotated[
    Decimal,
    _decimal(
        "a quantity", low=Decimal("0.001"), high=Decimal(1_000_000), places=3, blank=Decimal(1)
    ),
]
UnitPrice = Annotated[Decimal, _decimal("a unit price", low=Decimal(0), high=MAX_AMOUNT, places=4)]
Rate = Annotated[
    Decimal,
    _decimal("a rate", low=Decimal(0), high=Decimal(100), places=3, blank=Decimal(0)),
]
PaymentAmount = Annotated[
    Decimal, _decimal("an amount", low=Decimal("0.001"), high=MAX_AMOUNT, places=3)
]

MAX_LINES = 100


def _optional_id(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()) or value == 0:
        return None
    number = parse_int(value, minimum=1, maximum=MAX_ID)
    if number is None:
        raise ValueError("Pick a project of this company.")
    return number


class InvoiceLineIn(InputModel):
    description: str = pydantic.Field(min_length=1, max_length=500)
    quantity: Quantity = Decimal(1)
    unit_price: UnitPrice
    tax_rate: Rate = Decimal(0)
    discount_rate: Rate = pydantic.Field(
        default=Decimal(0), description="Percent of the line taken off before tax."
    )


class InvoiceUpdate(InputModel):
    """A draft's editable fields; only those sent change (``lines`` replaces all lines)."""

    title: str | None = pydantic.Field(default=None, max_length=200)
    currency: str | None = pydantic.Field(default=None, description="ISO 4217 code")
    project_id: Annotated[int | None, BeforeValidator(_optional_id)] = None
    issue_date: date | None = None
    due_date: date | None = None
    notes: str | None = pydantic.Field(default=None, max_length=4000)
    payment_instructions: str | None = pydantic.Field(default=None, max_length=2000)
    lines: list[InvoiceLineIn] | None = pydantic.Field(default=None, max_length=MAX_LINES)

    @pydantic.field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if code not in CURRENCY_MINOR_UNITS:
            raise ValueError("Pick a currency from the list (ISO 4217 code).")
        return code


class InvoiceCreate(InvoiceUpdate):
    """A new draft invoice; dates default to today and today + 30 days."""

    currency: str | None = pydantic.Field(default=DEFAULT_CURRENCY, description="ISO 4217 code")
    lines: list[InvoiceLineIn] | None = pydantic.Field(default_factory=list, max_length=MAX_LINES)


class PaymentCreate(InputModel):
    amount: PaymentAmount
    paid_on: date | None = pydantic.Field(default=None, description="Defaults to today")
    method: PaymentMethodValue = "bank_transfer"
    reference: str = pydantic.Field(default="", max_length=200)


class InvoiceVoid(InputModel):
    reason: str = pydantic.Field(default="", max_length=500)
