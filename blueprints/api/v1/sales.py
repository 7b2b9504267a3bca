"""/api/v1/sales: opportunities with their catalog product lines, notes and contacts
(reference 004's sales routes). Staff holding ``sales.*`` nodes and agency keys (scopes
sales:read, sales:write); another company's opportunity is 404, client principals 403."""

from __future__ import annotations

from flask import Response
from sqlmodel import Session, col, select

from blueprints.api import api_blueprint, path_object
from blueprints.api.auth import require_scope
from blueprints.api.v1.network_schemas import ok
from blueprints.api.v1.procurement_schemas import CountEnvelope
from blueprints.api.v1.sales_schemas import (
    ContactListEnvelope,
    NoteEnvelope,
    NoteIn,
    NoteListEnvelope,
    NotePath,
    OpportunityCreateIn,
    OpportunityEnvelope,
    OpportunityListEnvelope,
    OpportunityListQuery,
    OpportunityPath,
    ProductEnvelope,
    ProductIn,
    ProductListEnvelope,
    SequenceIn,
    TypeListEnvelope,
    contact_out,
    note_out,
    opportunity_out,
    product_out,
)
from portal.db import get_session
from portal.models import User
from portal.models.catalog import Opportunity, OpportunityNote
from portal.tenancy import Actor, get_for_actor
from services.catalog import sales as service

bp = api_blueprint(
    "api_sales",
    __name__,
    url_prefix="/api/v1/sales",
    tag="Sales",
    description="Opportunities with client companies, their product lines from the catalog, "
    "notes and contacts (reference 004).",
)


@path_object("opportunity_id")
def _load_opportunity(session: Session, actor: Actor, opportunity_id: int) -> Opportunity:
    return get_for_actor(session, Opportunity, opportunity_id, actor)


def _one(opp: Opportunity, actor: Actor) -> dict:
    return opportunity_out(opp, service.facts_for(get_session(), [opp]), actor)


def _authors(notes: list[OpportunityNote]) -> dict[int, User]:
    ids = {n.author_id for n in notes if n.author_id}
    if not ids:
        return {}
    rows = get_session().exec(select(User).where(col(User.id).in_(ids))).all()
    return {u.id: u for u in rows if u.id is not None}


@bp.get("/opportunity-types", summary="Opportunity types", responses={200: TypeListEnvelope})
def list_opportunity_types():
    """The pipeline's types (quote statuses). Needs sales.opportunity.fetch.many."""
    actor = require_scope("sales:read")
    return ok("Opportunity Types Fetched Successfully!", service.opportunity_types(actor=actor))


@bp.get("/opportunities", summary="List opportunities", responses={200: OpportunityListEnvelope})
def list_sales_opportunities(query: OpportunityListQuery):
    """Open ones newest first (``includeClosed`` for all), by name search, company or type."""
    actor = require_scope("sales:read")
    session = get_session()
    rows, total = service.list_opportunities(
        session,
        actor=actor,
        filters=query.filters(),
        limit=query.clamped_limit,
        offset=query.offset,
    )
    facts = service.facts_for(session, rows)
    return ok(
        "Opportunities fetched successfully!",
        [opportunity_out(o, facts, actor) for o in rows],
        limit=query.clamped_limit,
        offset=query.offset,
        total=total,
    )


@bp.post("/opportunities", summary="Create an opportunity", responses={201: OpportunityEnvelope})
def create_sales_opportunity(body: OpportunityCreateIn):
    """A new open opportunity with a company. Needs sales.opportunity.create."""
    actor = require_scope("sales:write")
    opp = service.create_opportunity(
        get_session(),
        actor=actor,
        company_id=body.companyId,
        name=body.name,
        type_id=body.typeId,
        notes=body.notes,
        expected_close_date=body.expectedCloseDate,
    )
    return ok("Opportunity created successfully!", _one(opp, actor), status=201), 201


@bp.get("/opportunities/count", summary="Count opportunities", responses={200: CountEnvelope})
def count_sales_opportunities(query: OpportunityListQuery):
    """How many the same filters list."""
    actor = require_scope("sales:read")
    n = service.count_opportunities(get_session(), actor=actor, filters=query.filters())
    return ok("Opportunity count fetched successfully!", {"count": n})


@bp.get(
    "/opportunities/<int:opportunity_id>",
    summary="Get an opportunity",
    responses={200: OpportunityEnvelope},
)
def get_sales_opportunity(path: OpportunityPath):
    actor = require_scope("sales:read")
    opp = service.get_opportunity(get_session(), actor=actor, opportunity_id=path.opportunity_id)
    return ok("Opportunity fetched successfully!", _one(opp, actor))


@bp.post(
    "/opportunities/<int:opportunity_id>/refresh",
    summary="Refresh from the CRM",
    responses={200: OpportunityEnvelope},
)
def refresh_sales_opportunity(path: OpportunityPath):
    """Fetch it from the upstream CRM (``CRM_URL``) and keep the fields the CRM owns. Needs
    sales.opportunity.refresh. 409 ``upstream_not_configured`` (no CRM), ``no_crm_id`` (kept in
    Stoa only) or ``crm_unknown_opportunity``; 503 ``crm_unavailable``, nothing changed."""
    actor = require_scope("sales:write")
    opp = service.refresh_opportunity(
        get_session(), actor=actor, opportunity_id=path.opportunity_id
    )
    return ok("Opportunity refreshed from the CRM successfully!", _one(opp, actor))


@bp.get(
    "/opportunities/<int:opportunity_id>/products",
    summary="An opportunity's products",
    responses={200: ProductListEnvelope},
)
def list_opportunity_products(path: OpportunityPath):
    """The product lines in their sequence."""
    actor = require_scope("sales:read")
    rows = service.list_products(get_session(), actor=actor, opportunity_id=path.opportunity_id)
    return ok("Opportunity products fetched successfully!", [product_out(p, actor) for p in rows])


@bp.post(
    "/opportunities/<int:opportunity_id>/products",
    summary="Add a product line",
    responses={201: ProductEnvelope},
)
def add_opportunity_product(path: OpportunityPath, body: ProductIn):
    """A line from a catalog item, at its catalog price unless ``unitPrice`` is given. Needs
    sales.opportunity.product.update."""
    actor = require_scope("sales:write")
    line = service.add_product(
        get_session(),
        actor=actor,
        opportunity_id=path.opportunity_id,
        catalog_item=body.catalogItemId,
        quantity=body.quantity,
        unit_price=body.unitPrice,
        description=body.description,
    )
    return ok("Opportunity product added successfully!", product_out(line, actor), status=201), 201


@bp.patch(
    "/opportunities/<int:opportunity_id>/products/sequence",
    summary="Resequence the products",
    responses={200: ProductListEnvelope},
)
def resequence_opportunity_products(path: OpportunityPath, body: SequenceIn):
    """``productIds`` lists every line once, in the new order (422 otherwise)."""
    actor = require_scope("sales:write")
    rows = service.resequence_products(
        get_session(), actor=actor, opportunity_id=path.opportunity_id, order=body.productIds
    )
    return ok(
        "Opportunity products resequenced successfully!", [product_out(p, actor) for p in rows]
    )


@bp.get(
    "/opportunities/<int:opportunity_id>/notes",
    summary="An opportunity's notes",
    responses={200: NoteListEnvelope},
)
def list_opportunity_notes(path: OpportunityPath):
    actor = require_scope("sales:read")
    notes = service.list_notes(get_session(), actor=actor, opportunity_id=path.opportunity_id)
    authors = _authors(notes)
    return ok("Opportunity notes fetched successfully!", [note_out(n, authors) for n in notes])


@bp.post(
    "/opportunities/<int:opportunity_id>/notes",
    summary="Write a note",
    responses={201: NoteEnvelope},
)
def create_opportunity_note(path: OpportunityPath, body: NoteIn):
    actor = require_scope("sales:write")
    note = service.create_note(
        get_session(), actor=actor, opportunity_id=path.opportunity_id, text=body.text
    )
    return ok("Note created successfully!", note_out(note, _authors([note])), status=201), 201


@bp.get(
    "/opportunities/<int:opportunity_id>/notes/<int:note_id>",
    summary="Get a note",
    responses={200: NoteEnvelope},
)
def get_opportunity_note(path: NotePath):
    actor = require_scope("sales:read")
    note = service.get_note(
        get_session(), actor=actor, opportunity_id=path.opportunity_id, note_id=path.note_id
    )
    return ok("Note fetched successfully!", note_out(note, _authors([note])))


@bp.patch(
    "/opportunities/<int:opportunity_id>/notes/<int:note_id>",
    summary="Edit a note",
    responses={200: NoteEnvelope},
)
def update_opportunity_note(path: NotePath, body: NoteIn):
    actor = require_scope("sales:write")
    note = service.update_note(
        get_session(),
        actor=actor,
        opportunity_id=path.opportunity_id,
        note_id=path.note_id,
        text=body.text,
    )
    return ok("Note updated successfully!", note_out(note, _authors([note])))


@bp.delete(
    "/opportunities/<int:opportunity_id>/notes/<int:note_id>",
    summary="Delete a note",
    responses={204: None},
)
def delete_opportunity_note(path: NotePath):
    actor = require_scope("sales:write")
    service.delete_note(
        get_session(), actor=actor, opportunity_id=path.opportunity_id, note_id=path.note_id
    )
    return Response(status=204)


@bp.get(
    "/opportunities/<int:opportunity_id>/contacts",
    summary="An opportunity's contacts",
    responses={200: ContactListEnvelope},
)
def list_opportunity_contacts(path: OpportunityPath):
    """The company's active people."""
    actor = require_scope("sales:read")
    rows = service.contacts(get_session(), actor=actor, opportunity_id=path.opportunity_id)
    return ok("Opportunity contacts fetched successfully!", [contact_out(u) for u in rows])
