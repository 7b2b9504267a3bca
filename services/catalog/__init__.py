"""The catalog (reference 004 procurement): items, filters, taxonomy, links, inventory refresh.

The catalog is the agency's: staff holding ``procurement.catalog.*`` nodes and agency keys
read and change it; client principals never do (403, the catalog is not tenant data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from portal.errors import Conflict, Invalid, NotFound, Unavailable
from portal.models.base import utcnow
from portal.models.billing import to_minor
from portal.models.catalog import (
    CATALOG_CURRENCY,
    CATALOG_ITEM_BASIC_FIELDS,
    CATALOG_ITEM_FIELDS,
    CatalogItem,
    CatalogLink,
    LinkKind,
)
from portal.permissions import register_node
from portal.runtime import get_runtime
from portal.tenancy import Actor, register_field_scope, require_staff
from portal.web.args import parse_int
from portal.web.pagination import count as count_rows
from services.catalog.distributor import DistributorClient, DistributorError

FETCH = register_node("procurement.catalog.fetch", "Read one catalog item")
FETCH_MANY = register_node("procurement.catalog.fetch.many", "List and count catalog items")
LINK = register_node("procurement.catalog.link", "Link and unlink catalog items")
REFRESH = register_node(
    "procurement.catalog.inventory.refresh", "Refresh an item's inventory from the distributor"
)

ITEM_SCOPE = "obj.catalogItem"
register_field_scope(
    ITEM_SCOPE,
    CATALOG_ITEM_FIELDS,
    client_fields=CATALOG_ITEM_BASIC_FIELDS,
    description="Fields of a catalog item; cost is the agency's margin.",
    attributes={
        "price_text": "price",
        "cost_text": "cost",
        "active": "inactive",
        "linked": "linkedItems",  # a catalog page row's linked items
    },
)

DENIED = "Only the agency's procurement staff can use the catalog."


@dataclass(frozen=True)
class CatalogFilters:
    """What a catalog list is narrowed by; every list, count and page applies the same."""

    search: str = ""
    category: str = ""
    subcategory: str = ""
    ecosystem: str = ""
    manufacturer: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    include_inactive: bool = False

    def conditions(self) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        if not self.include_inactive:
            conds.append(col(CatalogItem.active).is_(True))
        if self.search.strip():
            pattern = f"%{_escape_like(self.search.strip())}%"
            conds.append(
                or_(
                    *[
                        c.ilike(pattern, escape="\\")
                        for c in (
                            col(CatalogItem.name),
                            col(CatalogItem.description),
                            col(CatalogItem.identifier),
                            col(CatalogItem.vendor_sku),
                            col(CatalogItem.manufacturer),
                        )
                    ]
                )
            )
        for column, value in (
            (col(CatalogItem.category), self.category),
            (col(CatalogItem.subcategory), self.subcategory),
            (col(CatalogItem.ecosystem), self.ecosystem),
        ):
            if value.strip():
                conds.append(func.lower(column) == value.strip().lower())
        if self.manufacturer.strip():
            conds.append(
                col(CatalogItem.manufacturer).ilike(
                    f"%{_escape_like(self.manufacturer.strip())}%", escape="\\"
                )
            )
        if self.min_price is not None:
            conds.append(col(CatalogItem.price_minor) >= to_minor(self.min_price, CATALOG_CURRENCY))
        if self.max_price is not None:
            conds.append(col(CatalogItem.price_minor) <= to_minor(self.max_price, CATALOG_CURRENCY))
        if self.in_stock:
            conds.append(col(CatalogItem.on_hand) > 0)
        return conds


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered_select(filters: CatalogFilters) -> Any:
    return select(CatalogItem).where(and_(True, *filters.conditions()))


def list_items(
    session: Session,
    *,
    actor: Actor,
    filters: CatalogFilters,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[Sequence[CatalogItem], int]:
    """Items matching ``filters`` by name, with the total; ``limit=None`` is every row."""
    require_staff(actor, FETCH_MANY, DENIED)
    check_range(filters)
    stmt = filtered_select(filters)
    total = count_rows(session, stmt)
    ordered = stmt.order_by(col(CatalogItem.name), col(CatalogItem.id)).offset(offset)
    if limit is not None:
        ordered = ordered.limit(limit)
    return session.exec(ordered).all(), total


def count_items(session: Session, *, actor: Actor, filters: CatalogFilters) -> int:
    """How many items match ``filters`` (the same conditions as :func:`list_items`)."""
    require_staff(actor, FETCH_MANY, DENIED)
    check_range(filters)
    return count_rows(session, filtered_select(filters))


def check_range(filters: CatalogFilters) -> None:
    if (
        filters.min_price is not None
        and filters.max_price is not None
        and filters.min_price > filters.max_price
    ):
        raise Invalid(errors={"minPrice": ["The minimum price is above the maximum."]})


def find_item(session: Session, identifier: object) -> CatalogItem:
    """An item by its id or its identifier (part number); absent → NotFound."""
    text = str(identifier or "").strip()
    pk = parse_int(text, minimum=1)
    item = session.get(CatalogItem, pk) if pk is not None else None
    if item is None and text and len(text) <= 80:
        item = session.exec(select(CatalogItem).where(CatalogItem.identifier == text)).first()
    if item is None:
        raise NotFound("No such catalog item.")
    return item


def get_item(session: Session, *, actor: Actor, identifier: object) -> CatalogItem:
    require_staff(actor, FETCH, DENIED)
    return find_item(session, identifier)


def linked_items(
    session: Session, *, actor: Actor, identifier: object
) -> list[tuple[CatalogItem, str]]:
    """The items linked from ``identifier`` with the kind of each link, by name."""
    item = get_item(session, actor=actor, identifier=identifier)
    return links_of(session, [item.id])[item.id]  # type: ignore[index]


def links_of(
    session: Session, ids: Sequence[int | None]
) -> dict[int, list[tuple[CatalogItem, str]]]:
    """Linked items of several items in one query."""
    wanted = [i for i in ids if i is not None]
    out: dict[int, list[tuple[CatalogItem, str]]] = {i: [] for i in wanted}
    if not wanted:
        return out
    rows = session.exec(
        select(CatalogLink.source_id, CatalogItem, CatalogLink.kind)
        .join(CatalogItem, col(CatalogItem.id) == CatalogLink.target_id)
        .where(col(CatalogLink.source_id).in_(wanted))
        .order_by(col(CatalogItem.name), col(CatalogItem.id))
    ).all()
    for source_id, target, kind in rows:
        out[source_id].append((target, kind))
    return out


def link_items(
    session: Session, *, actor: Actor, identifier: object, target: object, kind: str
) -> CatalogItem:
    """Link ``target`` to the item as an accessory or replacement (linking again changes the
    kind). An item cannot be linked to itself."""
    require_staff(actor, LINK, DENIED)
    source = find_item(session, identifier)
    try:
        link_kind = LinkKind(kind)
    except ValueError:
        raise Invalid(errors={"kind": ["Choose accessory or replacement."]}) from None
    try:
        other = find_item(session, target)
    except NotFound:
        raise Invalid(errors={"targetId": ["No such catalog item."]}) from None
    if other.id == source.id:
        raise Invalid(errors={"targetId": ["An item cannot be linked to itself."]})
    link = session.exec(
        select(CatalogLink).where(
            CatalogLink.source_id == source.id, CatalogLink.target_id == other.id
        )
    ).first()
    if link is None:
        link = CatalogLink(source_id=source.id, target_id=other.id)  # type: ignore[arg-type]
    link.kind = link_kind.value
    session.add(link)
    source.updated_at = utcnow()
    session.add(source)
    session.flush()
    return source


def unlink_items(
    session: Session, *, actor: Actor, identifier: object, target: object
) -> CatalogItem:
    """Remove the link to ``target``; 404 when there is none."""
    require_staff(actor, LINK, DENIED)
    source = find_item(session, identifier)
    try:
        other = find_item(session, target)
    except NotFound:
        raise Invalid(errors={"targetId": ["No such catalog item."]}) from None
    link = session.exec(
        select(CatalogLink).where(
            CatalogLink.source_id == source.id, CatalogLink.target_id == other.id
        )
    ).first()
    if link is None:
        raise NotFound("Those items are not linked.")
    session.delete(link)
    source.updated_at = utcnow()
    session.add(source)
    session.flush()
    return source


def _distinct(session: Session, column: Any, conds: list[ColumnElement[bool]]) -> list[str]:
    rows = session.exec(
        select(column).where(and_(True, *conds), column != "").distinct().order_by(column)
    ).all()
    return [r for r in rows if r]


def filter_values(
    session: Session,
    *,
    actor: Actor,
    category: str = "",
    subcategory: str = "",
    include_inactive: bool = False,
) -> dict[str, list[str]]:
    """Distinct categories, subcategories, ecosystems and manufacturers for filter dropdowns;
    ``category``/``subcategory`` cascade into the later lists."""
    require_staff(actor, FETCH_MANY, DENIED)
    base = CatalogFilters(include_inactive=include_inactive).conditions()
    cat = CatalogFilters(category=category, include_inactive=include_inactive).conditions()
    sub = CatalogFilters(
        category=category, subcategory=subcategory, include_inactive=include_inactive
    ).conditions()
    return {
        "categories": _distinct(session, col(CatalogItem.category), base),
        "subcategories": _distinct(session, col(CatalogItem.subcategory), cat),
        "ecosystems": _distinct(session, col(CatalogItem.ecosystem), cat),
        "manufacturers": _distinct(session, col(CatalogItem.manufacturer), sub),
    }


def taxonomy(session: Session, *, actor: Actor) -> dict[str, list[dict[str, Any]]]:
    """The category tree (category → subcategories) and ecosystems (→ manufacturers), from the
    active items."""
    require_staff(actor, FETCH_MANY, DENIED)
    active = col(CatalogItem.active).is_(True)
    pairs = session.exec(
        select(CatalogItem.category, CatalogItem.subcategory, func.count())
        .where(active)
        .group_by(col(CatalogItem.category), col(CatalogItem.subcategory))
        .order_by(col(CatalogItem.category), col(CatalogItem.subcategory))
    ).all()
    categories: dict[str, dict[str, Any]] = {}
    for category, subcategory, n in pairs:
        entry = categories.setdefault(category, {"name": category, "count": 0, "subcategories": []})
        entry["count"] += n
        if subcategory:
            entry["subcategories"].append({"name": subcategory, "count": n})
    eco_rows = session.exec(
        select(CatalogItem.ecosystem, CatalogItem.manufacturer, CatalogItem.category)
        .where(active, col(CatalogItem.ecosystem) != "")
        .distinct()
        .order_by(col(CatalogItem.ecosystem), col(CatalogItem.manufacturer))
    ).all()
    ecosystems: dict[str, dict[str, Any]] = {}
    for ecosystem, manufacturer, category in eco_rows:
        eco = ecosystems.setdefault(ecosystem, {"name": ecosystem, "manufacturers": []})
        if manufacturer and manufacturer not in [m["name"] for m in eco["manufacturers"]]:
            eco["manufacturers"].append({"name": manufacturer, "category": category})
    return {"categories": list(categories.values()), "ecosystems": list(ecosystems.values())}


def distributor_from_settings() -> DistributorClient | None:
    settings = get_runtime().settings
    if not settings.distributor_url:
        return None
    return DistributorClient(settings.distributor_url, settings.distributor_key)


def refresh_inventory(session: Session, *, actor: Actor, identifier: object) -> CatalogItem:
    """Ask the distributor for the item's stock and keep its on-hand count (and prices it
    sends). No distributor configured → 409; unreachable or failing → 503, nothing changed."""
    require_staff(actor, REFRESH, DENIED)
    item = find_item(session, identifier)
    client = distributor_from_settings()
    if client is None:
        raise Conflict(
            "No distributor is configured (DISTRIBUTOR_URL).", code="distributor_not_configured"
        )
    if not item.vendor_sku:
        raise Conflict("This item has no vendor SKU to look up.", code="no_vendor_sku")
    try:
        record = client.stock(item.vendor_sku)
    except DistributorError as exc:
        if exc.status == 404:
            raise Conflict(exc.message, code="distributor_unknown_sku") from None
        raise Unavailable(
            f"{exc.message} The inventory was not changed.",
            code="distributor_unavailable",
            retry_after=30,
        ) from None
    item.on_hand = record.on_hand
    if record.price is not None:
        item.price_minor = to_minor(record.price, CATALOG_CURRENCY)
    if record.cost is not None:
        item.cost_minor = to_minor(record.cost, CATALOG_CURRENCY)
    item.inventory_checked_at = item.updated_at = utcnow()
    session.add(item)
    session.flush()
    return item
