"""Catalog items and links for tests."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from portal.models.billing import to_minor
from portal.models.catalog import CATALOG_CURRENCY, CatalogItem, CatalogLink


def make_item(
    db: Session,
    name: str | None = None,
    *,
    price: str | Decimal = "10.00",
    cost: str | Decimal = "6.00",
    **fields: Any,
) -> CatalogItem:
    code = uuid.uuid4().hex[:8].upper()
    fields.setdefault("identifier", f"PN-{code}")
    fields.setdefault("vendor_sku", f"SKU-{code}")
    fields.setdefault("category", "Technology")
    item = CatalogItem(
        name=name or f"Item {code}",
        price_minor=to_minor(Decimal(price), CATALOG_CURRENCY),
        cost_minor=to_minor(Decimal(cost), CATALOG_CURRENCY),
        **fields,
    )
    db.add(item)
    db.flush()
    return item


def link(db: Session, source: CatalogItem, target: CatalogItem, kind: str = "accessory") -> None:
    db.add(CatalogLink(source_id=source.id, target_id=target.id, kind=kind))  # type: ignore[arg-type]
    db.flush()


def make_opportunity(
    db: Session, company: Any, name: str = "Network refresh", **fields: Any
) -> Any:
    from portal.models.catalog import Opportunity

    opp = Opportunity(company_id=company.id, name=name, **fields)
    db.add(opp)
    db.flush()
    return opp


def add_line(
    db: Session, opp: Any, item: CatalogItem, quantity: str = "1", unit_price: str | None = None
) -> Any:
    from portal.models.catalog import OpportunityProduct

    existing = len(opp_lines(db, opp))
    line = OpportunityProduct(
        opportunity_id=opp.id,
        catalog_item_id=item.id,
        description=item.name,
        quantity=Decimal(quantity),
        unit_price=Decimal(unit_price) if unit_price is not None else item.price,
        sequence=existing + 1,
    )
    db.add(line)
    db.flush()
    return line


def opp_lines(db: Session, opp: Any) -> list[Any]:
    from sqlmodel import select

    from portal.models.catalog import OpportunityProduct

    return list(
        db.exec(select(OpportunityProduct).where(OpportunityProduct.opportunity_id == opp.id))
    )
