"""Budgets: a priced proposal (line items) a client approves or declines (SPEC §5.6).

draft (the agency's work in progress, staff only) --submit--> pending_approval --approve-->
approved, or --decline (with a reason)--> declined. Money as in billing: integer minor units
of the budget's currency, read back as ``Decimal``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import pydantic
from pydantic import BeforeValidator
from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Field, SQLModel, col

from portal.models.base import UTCDateTime, utcnow
from portal.models.billing import (
    CURRENCY_MINOR_UNITS,
    DEFAULT_CURRENCY,
    MAX_LINES,
    DecimalText,
    Quantity,
    UnitPrice,
    _optional_id,
    format_amount,
    from_minor,
    plain_decimal,
)
from portal.validation import InputModel


class BudgetStatus(StrEnum):
    draft = "draft"
    pending_approval = "pending_approval"
    approved = "approved"
    declined = "declined"


BUDGET_STATUSES: tuple[str, ...] = tuple(s.value for s in BudgetStatus)
STATUS_LABELS: dict[str, str] = {
    "draft": "Draft",
    "pending_approval": "Awaiting approval",
    "approved": "Approved",
    "declined": "Declined",
}


class Budget(SQLModel, table=True):
    """A budget for a company (optionally one of its projects); its total is kept in step with
    its lines by the service (lines change only while it is a draft)."""

    __tablename__ = "budget"
    __tenant_column__ = "company_id"
    __table_args__ = (Index("ix_budget_company_status", "company_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False)
    )
    project_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("project.id", ondelete="SET NULL"), index=True),
    )
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    currency: str = Field(default=DEFAULT_CURRENCY, max_length=3)
    status: str = Field(default=BudgetStatus.draft.value, max_length=20)
    total_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    decline_reason: str = Field(default="", max_length=1000)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    decided_by_name: str = Field(default="", max_length=200)
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @classmethod
    def __staff_only__(cls) -> Any:
        """A draft is the agency's work in progress: no client response includes it."""
        return col(cls.status) == BudgetStatus.draft.value

    @property
    def total(self) -> Decimal:
        return from_minor(self.total_minor, self.currency)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def fmt(self, amount: Decimal) -> str:
        return format_amount(amount, self.currency)


def _budget_is_draft(owner_column: Any) -> Any:
    owner = aliased(Budget)
    status = sa_select(col(owner.status)).where(col(owner.id) == owner_column).scalar_subquery()
    return status == BudgetStatus.draft.value


class BudgetLine(SQLModel, table=True):
    """A line item: description, quantity × unit price = amount (minor units)."""

    __tablename__ = "budget_line"
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("budget.id", ondelete="CASCADE"), nullable=False, index=True
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
    amount_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))

    @classmethod
    def __staff_only__(cls) -> Any:
        return _budget_is_draft(cls.budget_id)

    @property
    def quantity_text(self) -> str:
        return plain_decimal(self.quantity)

    @property
    def unit_price_text(self) -> str:
        return plain_decimal(self.unit_price)


# Input ---------------------------------------------------------------------------------------


class BudgetLineIn(InputModel):
    description: str = pydantic.Field(min_length=1, max_length=500)
    quantity: Quantity = Decimal(1)
    unit_price: UnitPrice


class BudgetUpdate(InputModel):
    """A draft's editable fields; only those sent change (``lines`` replaces all lines)."""

    title: str | None = pydantic.Field(default=None, min_length=1, max_length=200)
    description: str | None = pydantic.Field(default=None, max_length=4000)
    currency: str | None = pydantic.Field(default=None, description="ISO 4217 code")
    project_id: Annotated[int | None, BeforeValidator(_optional_id)] = None
    lines: list[BudgetLineIn] | None = pydantic.Field(default=None, max_length=MAX_LINES)

    @pydantic.field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if code not in CURRENCY_MINOR_UNITS:
            raise ValueError("Pick a currency from the list (ISO 4217 code).")
        return code


class BudgetCreate(BudgetUpdate):
    title: str | None = pydantic.Field(min_length=1, max_length=200)
    currency: str | None = pydantic.Field(default=DEFAULT_CURRENCY, description="ISO 4217 code")
    lines: list[BudgetLineIn] | None = pydantic.Field(default_factory=list, max_length=MAX_LINES)


class BudgetDecline(InputModel):
    reason: str = pydantic.Field(default="", max_length=1000)

    @pydantic.field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("Tell the team why you decline this budget.")
        return value
