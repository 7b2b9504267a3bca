"""Reference 004's procurement shapes for /api/v1/procurement (camelCase, its envelope).

Prices are decimal strings (never floats). Item objects are gated per ``obj.catalogItem.<field>``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from blueprints.api.schemas import ApiModel, GatedModel, PageQuery, gated
from blueprints.api.v1.network_schemas import Envelope
from portal.models.billing import plain_amount
from portal.models.catalog import CATALOG_CURRENCY, CatalogItem
from portal.tenancy import Actor
from services.catalog import ITEM_SCOPE, CatalogFilters

Money = Field(default=None, ge=0, le=Decimal("99999999.99"), max_digits=12, decimal_places=2)


class ItemFilterQuery(ApiModel):
    search: str = Field(default="", max_length=200)
    category: str = Field(default="", max_length=80)
    subcategory: str = Field(default="", max_length=80)
    ecosystem: str = Field(default="", max_length=80)
    manufacturer: str = Field(default="", max_length=120)
    minPrice: Decimal | None = Money
    maxPrice: Decimal | None = Money
    inStock: bool = False
    includeInactive: bool = False

    def filters(self) -> CatalogFilters:
        return CatalogFilters(
            search=self.search,
            category=self.category,
            subcategory=self.subcategory,
            ecosystem=self.ecosystem,
            manufacturer=self.manufacturer,
            min_price=self.minPrice,
            max_price=self.maxPrice,
            in_stock=self.inStock,
            include_inactive=self.includeInactive,
        )


class ItemListQuery(ItemFilterQuery, PageQuery):
    """Filters plus ``limit``/``offset``."""


class FilterValuesQuery(ApiModel):
    category: str = Field(default="", max_length=80)
    subcategory: str = Field(default="", max_length=80)
    includeInactive: bool = False


class ItemPath(ApiModel):
    identifier: str = Field(min_length=1, max_length=80, description="Id or part number")


class ItemQuery(ApiModel):
    includeLinkedItems: bool = False


class ItemLinkBody(ApiModel):
    targetId: str = Field(min_length=1, max_length=80, description="Id or part number")
    kind: Literal["accessory", "replacement"] = "accessory"


class UnlinkBody(ApiModel):
    targetId: str = Field(min_length=1, max_length=80, description="Id or part number")


class LinkedRef(BaseModel):
    id: str
    identifier: str
    name: str
    kind: str


class ItemOut(GatedModel, scope=ITEM_SCOPE, label="catalog item"):
    """A catalog item (gated per ``obj.catalogItem.<field>``: absent fields were withheld)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    identifier: str | None = Field(default=None, description="Part number")
    name: str | None = None
    description: str | None = None
    category: str | None = None
    subcategory: str | None = None
    ecosystem: str | None = None
    manufacturer: str | None = None
    vendorName: str | None = None
    vendorSku: str | None = None
    price: str | None = Field(default=None, description="Decimal string")
    cost: str | None = Field(default=None, description="Decimal string")
    currency: str | None = None
    inactive: bool | None = None
    onHand: int | None = None
    inventoryCheckedAt: datetime | None = None
    linkedItems: list[LinkedRef] | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None


class ItemEnvelope(Envelope):
    data: ItemOut


class ItemListEnvelope(Envelope):
    data: list[ItemOut]
    limit: int
    offset: int
    total: int


class CountOut(BaseModel):
    count: int


class CountEnvelope(Envelope):
    data: CountOut


class FilterValuesOut(BaseModel):
    categories: list[str]
    subcategories: list[str]
    ecosystems: list[str]
    manufacturers: list[str]


class FilterValuesEnvelope(Envelope):
    data: FilterValuesOut


class SubcategoryOut(BaseModel):
    name: str
    count: int


class CategoryOut(BaseModel):
    name: str
    count: int
    subcategories: list[SubcategoryOut]


class ManufacturerOut(BaseModel):
    name: str
    category: str


class EcosystemOut(BaseModel):
    name: str
    manufacturers: list[ManufacturerOut]


class TaxonomyOut(BaseModel):
    categories: list[CategoryOut]
    ecosystems: list[EcosystemOut]


class TaxonomyEnvelope(Envelope):
    data: TaxonomyOut


def money(amount: Decimal) -> str:
    return plain_amount(amount, CATALOG_CURRENCY)


def item_out(
    item: CatalogItem, actor: Actor, linked: list[tuple[CatalogItem, str]] | None = None
) -> dict[str, Any]:
    item_obj = ItemOut(
        id=str(item.id),
        identifier=item.identifier,
        name=item.name,
        description=item.description,
        category=item.category,
        subcategory=item.subcategory,
        ecosystem=item.ecosystem,
        manufacturer=item.manufacturer,
        vendorName=item.vendor_name,
        vendorSku=item.vendor_sku,
        price=money(item.price),
        cost=money(item.cost),
        currency=CATALOG_CURRENCY,
        inactive=not item.active,
        onHand=item.on_hand,
        inventoryCheckedAt=item.inventory_checked_at,
        linkedItems=None
        if linked is None
        else [
            LinkedRef(id=str(t.id), identifier=t.identifier, name=t.name, kind=kind)
            for t, kind in linked
        ],
        createdAt=item.created_at,
        updatedAt=item.updated_at,
    )
    return gated(item_obj, actor, omit=("linkedItems",) if linked is None else ())
