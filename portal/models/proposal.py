"""Proposals (SPEC §5.6): a sales opportunity shared with its client company, in the Invoices tab.

A proposal has numbered versions. Each version is one frozen document: its content (title,
currency, validity date, terms, lines) is kept as canonical JSON and its SHA-256 is the hash an
acceptance is bound to. Changing a shared proposal adds a version and resets the decision; the
client always sees the latest version. An acceptance is an immutable receipt (the same receipt
mechanism as contract signatures): who accepted which exact content, when, from where.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pydantic
from sqlalchemy import BigInteger, Column, ForeignKey, Integer, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.models.billing import format_amount, from_minor, plain_decimal, round_money
from portal.models.budget import BudgetLineIn
from portal.validation import InputModel

MAX_PROPOSAL_LINES = 100


class ProposalStatus(StrEnum):
    awaiting = "awaiting"  # the latest version waits for the client's decision
    accepted = "accepted"
    declined = "declined"


STATUS_LABELS: dict[str, str] = {
    ProposalStatus.awaiting: "Awaiting decision",
    ProposalStatus.accepted: "Accepted",
    ProposalStatus.declined: "Declined",
}


class Proposal(SQLModel, table=True):
    """An opportunity shared with its company; ``version`` is the latest version's number."""

    __tablename__ = "proposal"
    __tenant_column__ = "company_id"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    opportunity_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("opportunity.id", ondelete="SET NULL"), index=True),
    )
    title: str = Field(max_length=200)
    status: str = Field(default=ProposalStatus.awaiting.value, max_length=20, index=True)
    version: int = 1
    invoice_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("invoice.id", ondelete="SET NULL"), index=True),
    )
    created_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


class ProposalVersion(SQLModel, table=True):
    """One shared version: ``content`` is the canonical JSON document, ``sha256`` its hash."""

    __tablename__ = "proposal_version"
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("proposal_id", "number", name="uq_proposal_version"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("proposal.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    number: int = 1
    content: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(max_length=64)
    currency: str = Field(default="USD", max_length=3)
    total_minor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    valid_until: date
    shared_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    shared_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decline_reason: str = Field(default="", max_length=1000)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )

    @property
    def total(self) -> Decimal:
        return from_minor(self.total_minor, self.currency)

    @property
    def document(self) -> ProposalDocument:
        return ProposalDocument.from_json(self.content)


class ProposalAcceptance(SQLModel, table=True):
    """Immutable proof of an acceptance: who accepted which version (its SHA-256), when, from
    where, with the name they typed and the consent they gave. One per proposal."""

    __tablename__ = "proposal_acceptance"
    __tenant_column__ = "company_id"
    __table_args__ = (UniqueConstraint("proposal_id", name="uq_proposal_acceptance_proposal"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    proposal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("proposal.id", ondelete="CASCADE"), nullable=False)
    )
    version_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("proposal_version.id", ondelete="CASCADE"), nullable=False
        )
    )
    version_number: int
    proposal_title: str = Field(max_length=200)
    sha256: str = Field(max_length=64)
    total: str = Field(max_length=40)
    currency: str = Field(max_length=3)
    user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    user_email: str = Field(max_length=254)
    typed_name: str = Field(max_length=200)
    consent: str = Field(sa_column=Column(Text, nullable=False))
    accepted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ip_address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


@event.listens_for(ProposalAcceptance, "before_update")
def _acceptances_are_immutable(_mapper: Any, _conn: Any, target: ProposalAcceptance) -> None:
    raise ValueError(f"proposal acceptance {target.id} is immutable")


@event.listens_for(ProposalVersion, "before_update")
def _version_content_is_frozen(_mapper: Any, _conn: Any, target: ProposalVersion) -> None:
    if ProposalDocument.hash_of(target.content) != target.sha256:
        raise ValueError(f"proposal version {target.id} content is frozen")


# The document of a version -------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalLine:
    description: str
    quantity: Decimal
    unit_price: Decimal
    currency: str
    catalog_item_id: int | None = None

    @property
    def total(self) -> Decimal:
        return round_money(self.quantity * self.unit_price, self.currency)

    @property
    def quantity_text(self) -> str:
        return plain_decimal(self.quantity)


@dataclass(frozen=True)
class ProposalDocument:
    """What a client reads and accepts; its canonical JSON is what the hash is taken of."""

    title: str
    currency: str
    valid_until: date
    terms: str
    lines: tuple[ProposalLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), round_money(Decimal(0), self.currency))

    def fmt(self, amount: Decimal) -> str:
        return format_amount(amount, self.currency)

    def editor_lines(self) -> list[dict[str, str]]:
        """The lines as the revision form's rows."""
        return [
            {
                "description": line.description,
                "quantity": plain_decimal(line.quantity),
                "unit_price": plain_decimal(line.unit_price),
            }
            for line in self.lines
        ]

    def to_json(self) -> str:
        data = {
            "title": self.title,
            "currency": self.currency,
            "valid_until": self.valid_until.isoformat(),
            "terms": self.terms,
            "lines": [
                {
                    "description": line.description,
                    "quantity": plain_decimal(line.quantity),
                    "unit_price": plain_decimal(line.unit_price),
                    "catalog_item_id": line.catalog_item_id,
                }
                for line in self.lines
            ],
            "total": format(self.total, "f"),
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @staticmethod
    def hash_of(content: str) -> str:
        return hashlib.sha256(content.encode()).hexdigest()

    @classmethod
    def from_json(cls, content: str) -> ProposalDocument:
        data = json.loads(content)
        currency = data["currency"]
        return cls(
            title=data["title"],
            currency=currency,
            valid_until=date.fromisoformat(data["valid_until"]),
            terms=data["terms"],
            lines=tuple(
                ProposalLine(
                    description=row["description"],
                    quantity=Decimal(row["quantity"]),
                    unit_price=Decimal(row["unit_price"]),
                    currency=currency,
                    catalog_item_id=row.get("catalog_item_id"),
                )
                for row in data["lines"]
            ),
        )


# Input families ------------------------------------------------------------------------------


class ProposalShare(InputModel):
    """Sharing an opportunity: its product lines become version 1."""

    title: str = pydantic.Field(default="", max_length=200)
    valid_until: date | None = None
    terms: str = pydantic.Field(default="", max_length=4000)


class ProposalRevise(InputModel):
    """A new version: the fields sent replace the latest version's (``lines`` replaces all)."""

    title: str | None = pydantic.Field(default=None, max_length=200)
    valid_until: date | None = None
    terms: str | None = pydantic.Field(default=None, max_length=4000)
    lines: list[BudgetLineIn] | None = pydantic.Field(default=None, max_length=MAX_PROPOSAL_LINES)


class ProposalAccept(InputModel):
    version: int = pydantic.Field(ge=1, le=1_000_000)
    typed_name: str = pydantic.Field(min_length=1, max_length=200)
    consent: bool = False


class ProposalDecline(InputModel):
    version: int = pydantic.Field(ge=1, le=1_000_000)
    reason: str = pydantic.Field(default="", max_length=1000)
