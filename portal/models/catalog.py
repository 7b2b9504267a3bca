"""Catalog (SPEC §5.6, reference 004 procurement): the agency's products and their links.

The catalog is the agency's own data, not a tenant's: only staff (and agency keys) read it.
Money is kept in minor units of the agency currency, like invoices, so price ranges filter in
SQL exactly; it is read back as ``Decimal``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.models.billing import DecimalText, format_amount, from_minor, round_money

CATALOG_CURRENCY = "USD"

# Reference 004's catalog item fields, in its order: one field node each (``obj.catalogItem.*``).
CATALOG_ITEM_FIELDS: tuple[str, ...] = (
    "id",
    "identifier",
    "name",
    "description",
    "category",
    "subcategory",
    "ecosystem",
    "manufacturer",
    "vendorName",
    "vendorSku",
    "price",
    "cost",
    "currency",
    "inactive",
    "onHand",
    "inventoryCheckedAt",
    "linkedItems",
    "createdAt",
    "updatedAt",
)
# What a holder of no field node sees of an item: never its cost (the agency's margin).
CATALOG_ITEM_BASIC_FIELDS: frozenset[str] = frozenset(
    {"id", "identifier", "name", "description", "category", "subcategory", "manufacturer"}
)


class LinkKind(StrEnum):
    accessory = "accessory"
    replacement = "replacement"


class CatalogItem(SQLModel, table=True):
    """One product or service the agency sells."""

    __tablename__ = "catalog_item"
    __table_args__ = (
        Index("ix_catalog_item_active_category", "active", "category"),
        Index("ix_catalog_item_price", "price_minor"),
        Index("ix_catalog_item_on_hand", "on_hand"),
    )

    id: int | None = Field(default=None, primary_key=True)
    identifier: str = Field(max_length=80, unique=True, description="Part number")
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    category: str = Field(max_length=80, index=True)
    subcategory: str = Field(default="", max_length=80, index=True)
    ecosystem: str = Field(default="", max_length=80, index=True)
    manufacturer: str = Field(default="", max_length=120, index=True)
    vendor_name: str = Field(default="", max_length=120)
    vendor_sku: str = Field(default="", max_length=80, index=True)
    cost_minor: int = 0
    price_minor: int = 0
    on_hand: int = 0
    active: bool = True
    inventory_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def price(self) -> Decimal:
        return from_minor(self.price_minor, CATALOG_CURRENCY)

    @property
    def cost(self) -> Decimal:
        return from_minor(self.cost_minor, CATALOG_CURRENCY)

    @property
    def price_text(self) -> str:
        return format_amount(self.price, CATALOG_CURRENCY)

    @property
    def cost_text(self) -> str:
        return format_amount(self.cost, CATALOG_CURRENCY)


class CatalogLink(SQLModel, table=True):
    """``target`` is an accessory of, or a replacement for, ``source`` (one direction)."""

    __tablename__ = "catalog_link"
    __table_args__ = (UniqueConstraint("source_id", "target_id", name="uq_catalog_link_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("catalog_item.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    target_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("catalog_item.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: str = Field(default=LinkKind.accessory.value, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Sales ----------------------------------------------------------------------------------------

# Reference 004's opportunity fields: one field node each (``obj.opportunity.*``).
OPPORTUNITY_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "notes",
    "type",
    "stage",
    "status",
    "closedFlag",
    "expectedCloseDate",
    "closedDate",
    "primarySalesRep",
    "company",
    "companyId",
    "contact",
    "total",
    "currency",
    "productCount",
    "crmOpportunityId",
    "lastRefreshedAt",
    "createdAt",
    "updatedAt",
)
OPPORTUNITY_BASIC_FIELDS: frozenset[str] = frozenset({"id", "name", "status", "company"})


class OpportunityStatus(StrEnum):
    open = "open"
    won = "won"
    lost = "lost"


class Opportunity(SQLModel, table=True):
    """A sale in progress with a client company; its product lines come from the catalog."""

    __tenant_column__ = "company_id"
    __tablename__ = "opportunity"
    __table_args__ = (Index("ix_opportunity_company_status", "company_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("company.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=200)
    notes: str = Field(default="", max_length=4000)
    type_id: int = Field(default=1, index=True)
    stage: str = Field(default="Prospect", max_length=60)
    status: str = Field(default=OpportunityStatus.open.value, max_length=20, index=True)
    expected_close_date: date | None = None
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sales_rep_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    contact_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    # the opportunity's id in the upstream CRM it refreshes from (None: kept in Stoa only)
    crm_id: str | None = Field(default=None, max_length=64)
    last_refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def closed(self) -> bool:
        return self.status != OpportunityStatus.open.value


class OpportunityProduct(SQLModel, table=True):
    """One product line of an opportunity, in ``sequence`` order."""

    __tablename__ = "opportunity_product"
    __table_args__ = (Index("ix_opportunity_product_order", "opportunity_id", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("opportunity.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    catalog_item_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("catalog_item.id", ondelete="SET NULL"), index=True),
    )
    description: str = Field(max_length=300)
    quantity: Decimal = Field(default=Decimal(1), sa_type=DecimalText)
    unit_price: Decimal = Field(default=Decimal(0), sa_type=DecimalText)
    sequence: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def total(self) -> Decimal:
        return round_money(self.quantity * self.unit_price, CATALOG_CURRENCY)


class OpportunityNote(SQLModel, table=True):
    """A staff note on an opportunity (internal: clients never see these)."""

    __tablename__ = "opportunity_note"

    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("opportunity.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    text: str = Field(max_length=4000)
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
