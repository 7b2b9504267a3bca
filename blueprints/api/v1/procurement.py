"""/api/v1/procurement: the agency's catalog (reference 004's procurement routes).

Staff holding ``procurement.catalog.*`` nodes and agency keys (scopes procurement:read,
procurement:write); client principals get 403 — the catalog is not tenant data.
"""

from __future__ import annotations

from blueprints.api import api_blueprint
from blueprints.api.auth import require_scope
from blueprints.api.v1.network_schemas import ok
from blueprints.api.v1.procurement_schemas import (
    CountEnvelope,
    FilterValuesEnvelope,
    FilterValuesQuery,
    ItemEnvelope,
    ItemFilterQuery,
    ItemLinkBody,
    ItemListEnvelope,
    ItemListQuery,
    ItemPath,
    ItemQuery,
    TaxonomyEnvelope,
    UnlinkBody,
    item_out,
)
from portal.db import get_session
from portal.tenancy import Actor
from services import catalog as service

bp = api_blueprint(
    "api_procurement",
    __name__,
    url_prefix="/api/v1/procurement",
    tag="Procurement",
    description="The agency's catalog: items, filters, categories and ecosystems, linked "
    "accessories and replacements, inventory from the distributor (reference 004).",
)


def _linked_out(item_id: int, actor: Actor) -> dict:
    session = get_session()
    item = service.find_item(session, item_id)
    return item_out(item, actor, service.links_of(session, [item.id])[item.id])  # type: ignore[index]


@bp.get("/items", summary="List catalog items", responses={200: ItemListEnvelope})
def list_catalog_items(query: ItemListQuery):
    """Active items by name, filtered and searched (name, description, part number, vendor
    SKU, manufacturer). Needs procurement.catalog.fetch.many; scope procurement:read."""
    actor = require_scope("procurement:read")
    rows, total = service.list_items(
        get_session(),
        actor=actor,
        filters=query.filters(),
        limit=query.clamped_limit,
        offset=query.offset,
    )
    return ok(
        "Catalog items fetched successfully!",
        [item_out(i, actor) for i in rows],
        limit=query.clamped_limit,
        offset=query.offset,
        total=total,
    )


def _count(query: ItemFilterQuery):
    actor = require_scope("procurement:read")
    n = service.count_items(get_session(), actor=actor, filters=query.filters())
    return ok("Catalog item count fetched successfully!", {"count": n})


@bp.get("/count", summary="Count catalog items", responses={200: CountEnvelope})
def count_catalog_items(query: ItemFilterQuery):
    """The number of items the same filters list. Scope procurement:read."""
    return _count(query)


@bp.get("/items/count", summary="Count catalog items (alias)", responses={200: CountEnvelope})
def count_catalog_items_alias(query: ItemFilterQuery):
    """Same as ``/procurement/count``."""
    return _count(query)


@bp.get("/categories", summary="Categories and ecosystems", responses={200: TaxonomyEnvelope})
def get_catalog_categories():
    """The category tree and the ecosystems with their manufacturers. Scope procurement:read."""
    actor = require_scope("procurement:read")
    return ok(
        "Category and ecosystem data fetched successfully!",
        service.taxonomy(get_session(), actor=actor),
    )


@bp.get("/filters", summary="Filter values", responses={200: FilterValuesEnvelope})
def get_catalog_filters(query: FilterValuesQuery):
    """Distinct values for the filter dropdowns, cascading from category and subcategory."""
    actor = require_scope("procurement:read")
    data = service.filter_values(
        get_session(),
        actor=actor,
        category=query.category,
        subcategory=query.subcategory,
        include_inactive=query.includeInactive,
    )
    return ok("Available filter values fetched successfully!", data)


@bp.get("/items/<identifier>", summary="Get a catalog item", responses={200: ItemEnvelope})
def get_catalog_item(path: ItemPath, query: ItemQuery):
    """By id or part number; ``includeLinkedItems`` adds the links. Needs
    procurement.catalog.fetch."""
    actor = require_scope("procurement:read")
    session = get_session()
    item = service.get_item(session, actor=actor, identifier=path.identifier)
    linked = service.links_of(session, [item.id])[item.id] if query.includeLinkedItems else None  # type: ignore[index]
    return ok("Catalog item fetched successfully!", item_out(item, actor, linked))


@bp.get(
    "/items/<identifier>/linked", summary="Linked catalog items", responses={200: ItemListEnvelope}
)
def list_linked_catalog_items(path: ItemPath):
    """The accessories and replacements linked from the item."""
    actor = require_scope("procurement:read")
    rows = service.linked_items(get_session(), actor=actor, identifier=path.identifier)
    return ok(
        "Linked catalog items fetched successfully!",
        [item_out(t, actor) for t, _ in rows],
        limit=len(rows),
        offset=0,
        total=len(rows),
    )


@bp.post("/items/<identifier>/link", summary="Link catalog items", responses={200: ItemEnvelope})
def link_catalog_items(path: ItemPath, body: ItemLinkBody):
    """Link ``targetId`` to the item as an accessory (default) or replacement. Needs
    procurement.catalog.link; scope procurement:write."""
    actor = require_scope("procurement:write")
    item = service.link_items(
        get_session(), actor=actor, identifier=path.identifier, target=body.targetId, kind=body.kind
    )
    return ok("Catalog item linked successfully!", _linked_out(item.id, actor))  # type: ignore[arg-type]


@bp.post(
    "/items/<identifier>/unlink", summary="Unlink catalog items", responses={200: ItemEnvelope}
)
def unlink_catalog_items(path: ItemPath, body: UnlinkBody):
    """Remove the link to ``targetId`` (404 when they are not linked)."""
    actor = require_scope("procurement:write")
    item = service.unlink_items(
        get_session(), actor=actor, identifier=path.identifier, target=body.targetId
    )
    return ok("Catalog item unlinked successfully!", _linked_out(item.id, actor))  # type: ignore[arg-type]


@bp.post(
    "/items/<identifier>/refresh-inventory",
    summary="Refresh inventory from the distributor",
    responses={200: ItemEnvelope},
)
def refresh_catalog_item_inventory(path: ItemPath):
    """Ask the distributor for the item's stock now. 503 ``distributor_unavailable`` when it
    cannot be reached (nothing changed); 409 when none is configured. Needs
    procurement.catalog.inventory.refresh; scope procurement:write."""
    actor = require_scope("procurement:write")
    item = service.refresh_inventory(get_session(), actor=actor, identifier=path.identifier)
    return ok("Inventory refreshed successfully!", item_out(item, actor))
