"""Catalog (SPEC §5.6, reference 004 procurement): the agency's products and their links.

The catalog is the agency's own data, not a tenant's: only staff (and agency keys) read it.
Money is kept in minor units of the agency currency, like invoices, so price ranges filter in
SQL exactly; it is read back as ``Decimal``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.base import UTCDateTime, utcnow
from portal.models.billing import format_amount, from_minor

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
