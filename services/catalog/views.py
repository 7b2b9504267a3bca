"""What the staff catalog page shows: one page of filtered items, the filter values, links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from portal.models.catalog import CatalogItem
from portal.tenancy import Actor
from portal.web.pagination import Page, paginate
from services.catalog import (
    CatalogFilters,
    check_range,
    filter_values,
    filtered_select,
    links_of,
)

PER_PAGE = 25
MAX_PRICE = Decimal("99999999.99")


def _price(raw: Any) -> Decimal | None:
    text = str(raw or "").strip()[:20]
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 <= value <= MAX_PRICE else None


def filters_from_args(args: Mapping[str, Any]) -> CatalogFilters:
    """The page's query string as filters; what cannot be read is simply not applied."""
    low, high = _price(args.get("min_price")), _price(args.get("max_price"))
    if low is not None and high is not None and low > high:
        low, high = high, low
    return CatalogFilters(
        search=str(args.get("q", ""))[:200],
        category=str(args.get("category", ""))[:80],
        ecosystem=str(args.get("ecosystem", ""))[:80],
        manufacturer=str(args.get("manufacturer", ""))[:120],
        min_price=low,
        max_price=high,
        in_stock=args.get("in_stock") in ("1", "on", "true"),
        include_inactive=args.get("inactive") in ("1", "on", "true"),
    )


@dataclass(frozen=True)
class CatalogRow:
    item: CatalogItem
    linked: list[tuple[CatalogItem, str]]


@dataclass(frozen=True)
class CatalogView:
    page: Page[CatalogRow]
    filters: CatalogFilters
    values: dict[str, list[str]]

    @property
    def params(self) -> dict[str, str | None]:
        f = self.filters
        return {
            "q": f.search or None,
            "category": f.category or None,
            "ecosystem": f.ecosystem or None,
            "manufacturer": f.manufacturer or None,
            "min_price": str(f.min_price) if f.min_price is not None else None,
            "max_price": str(f.max_price) if f.max_price is not None else None,
            "in_stock": "1" if f.in_stock else None,
            "inactive": "1" if f.include_inactive else None,
        }

    @property
    def filtered(self) -> bool:
        return any(v for v in self.params.values())


def staff_catalog(
    session: Session, *, actor: Actor, filters: CatalogFilters, page: int
) -> CatalogView:
    """One page of the catalog as staff filter it, with each item's linked items."""
    values = filter_values(
        session, actor=actor, category=filters.category, include_inactive=filters.include_inactive
    )
    check_range(filters)
    stmt = filtered_select(filters).order_by(CatalogItem.name, CatalogItem.id)
    items: Page[CatalogItem] = paginate(session, stmt, page=page, per_page=PER_PAGE)
    links = links_of(session, [i.id for i in items])
    return CatalogView(
        page=items.map(lambda i: CatalogRow(i, links.get(i.id or 0, []))),
        filters=filters,
        values=values,
    )
